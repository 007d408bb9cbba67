// Unrolled core: a bounded store of trainer checkpoints, for scrubbing back through training.
//
// Legend: j a checkpoint's iteration (completed updates when it was taken), n the newest
//         recorded, a = n - j its age, R the recent window, L the lattice's slots, s(n) its
//         spacing, C the slots the budget holds, P the parameter values of the model.
//
// A checkpoint is a TrainerState without its history (core/trainer_state.hpp): 3 P doubles of
// weights and optimiser state plus the data stream's state, so iteration j + 1, j + 2, ... can be
// recomputed bit for bit from it. Retention, decided from the iteration numbers alone:
//
//   keep j  iff  a < R  or  j % s(n) == 0,   s(n) = the smallest power of two > n / L
//                                                 = 1 for n < L, else 2^(floor(log2(n / L)) + 1)
//
// so every iteration of the last R is kept, and over the whole run a uniform lattice 0, s, 2s, ...
// of floor(n / s) + 1 <= L points (n / s < L by the choice of s). s only doubles as n grows and an
// age only grows, so a checkpoint once dropped is never wanted again, and checkpoint 0 (a multiple
// of everything) is always kept. After N iterations (n = N - 1) the store holds at most
//
//   min(N, R + L) + kMaxPinned   checkpoints, whatever N,
//
// and two neighbours are at most s(n) <= max(1, 2n / L) iterations apart (s / 2 <= n / L): any
// iteration is recomputed by replaying at most s(n) - 1 from the checkpoint at or before it, 0
// within the last R (issue 17's H 64 LSTM: L = 65, so after 1000 iterations s(999) = 16).
//
// Pinned checkpoints are kept whatever their age: the worker pins the first checkpoint after a
// live change (learning rate, clipping, truncation, precision, a rescaled W_hh), so replaying from
// the nearest checkpoint never crosses a change. At most kMaxPinned are kept; pinning one more
// drops the oldest pin and everything before it (that far past can no longer be recomputed).
//
// The budget: C = budget / size - kMaxPinned slots are split R = C / 2, L = C - R (each at least
// 2, at most 2^20); a model too large for C >= 4 keeps the newest budget / size checkpoints (the
// oldest but checkpoint 0 go first), and one whose single checkpoint is larger than the budget
// keeps none (time travel is off for it). Checkpoints put in by insert (a loaded session, kept by
// any rule) are brought under this one at the next record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "core/trainer_state.hpp"

namespace unrolled {

class Trainer;

constexpr size_t kDefaultCheckpointBudget = 64u << 20;  // bytes, all of a worker's models
constexpr int kMaxPinned = 32;
constexpr int64_t kCheckpointHorizon = 1'000'000'000;  // = kMaxIterations

struct Checkpoint {
  TrainerState state;  // state.history is absent
  bool pinned = false;
};

class CheckpointStore {
 public:
  // checkpoint_bytes: what one checkpoint takes (checkpoint_bytes_for); budget: for all of them
  // (app_memory_bytes counts kDefaultCheckpointBudget for the app).
  CheckpointStore(size_t checkpoint_bytes = 1, size_t budget = kDefaultCheckpointBudget);

  // Bytes one checkpoint of a trainer's model takes (its tensors and fixed parts).
  static size_t checkpoint_bytes_for(const Trainer& t);
  // The bound on count() after `iterations` iterations with window R and L lattice slots (the
  // formula above, kMaxPinned included).
  static int64_t count_bound(int recent, int lattice, int64_t iterations);

  // Records the trainer's state at its iteration n (Ready or Diverged; a trainer in the middle of
  // an iteration records the state the iteration began with). n older than the newest: ignored;
  // n equal to the newest: replaces it (a setting changed before the iteration ran) and pins it if
  // asked. Allocates only while the store grows; a dropped checkpoint's buffers are reused.
  void record(const Trainer& t, bool pin = false);
  // The generic form: fill writes the state for iteration n into the slot (tests drive 10^6
  // iterations with a cheap fill).
  template <class Fill>
  void record(int64_t n, bool pin, Fill fill) {
    Checkpoint* slot = begin_record(n, pin);
    if (slot) {
      fill(slot->state);
      slot->state.iteration = n;
    }
  }
  // A live change that takes effect within the newest checkpoint's own iteration (clipping or the
  // optimiser changed while it was under way): the newest's settings become these and it is
  // pinned, so recomputing that iteration uses what it really ran with.
  void amend_newest(const TrainingConfig& training);
  // The next record is pinned (a live change happened since the last one).
  void pin_next() { pin_next_ = true; }
  void clear();

  // The newest checkpoint at or before iteration n; nullptr when there is none.
  const Checkpoint* at_or_before(int64_t n) const;
  // Every checkpoint, oldest first (sessions save them).
  std::vector<const Checkpoint*> all() const;
  // Puts a loaded checkpoint in (sessions): false when its iteration is not newer than every
  // checkpoint held.
  bool insert(Checkpoint c);

  size_t count() const { return entries_.size(); }
  int recent() const { return recent_; }    // R
  int lattice() const { return lattice_; }  // L
  // s(n): the lattice's spacing once the newest is n, the most two kept neighbours lie apart.
  int64_t spacing(int64_t n) const;
  int64_t newest() const { return entries_.empty() ? -1 : entries_.rbegin()->first; }
  int64_t oldest() const { return entries_.empty() ? -1 : entries_.begin()->first; }
  size_t capacity() const { return capacity_; }  // the most checkpoints the budget holds
  size_t checkpoint_bytes() const { return checkpoint_bytes_; }
  size_t memory_bytes() const { return count() * checkpoint_bytes_; }
  // Whether the rule keeps j once the newest is n (pins aside).
  bool keeps(int64_t j, int64_t n) const;

 private:
  Checkpoint* begin_record(int64_t n, bool pin);
  void drop(std::map<int64_t, Checkpoint>::iterator it);
  void enforce_capacity();
  void enforce_pins();

  size_t checkpoint_bytes_, budget_, capacity_;
  int recent_ = 2, lattice_ = 2;
  bool pin_next_ = false;
  bool sweep_ = false;  // insert put in checkpoints no rule has judged yet
  using Map = std::map<int64_t, Checkpoint>;
  Map entries_;
  std::vector<Map::node_type> spare_;  // dropped nodes, buffers and all, for the next record
};

}  // namespace unrolled
