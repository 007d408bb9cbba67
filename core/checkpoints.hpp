// Unrolled core: a bounded store of trainer checkpoints, for scrubbing back through training.
//
// Legend: j a checkpoint's iteration (completed updates when it was taken), n the newest
//         recorded, a = n - j its age, R the recent window, P the parameter values of the model.
//
// A checkpoint is a TrainerState without its history (core/trainer_state.hpp): 3 P doubles of
// weights and optimiser state plus the data stream's state, so iteration j + 1, j + 2, ... can be
// recomputed bit for bit from it. Retention, decided from the iteration number alone:
//
//   keep j  iff  j % spacing(a) == 0,   spacing(a) = 1 for a < R, else 2^(floor(log2(a / R)) + 1)
//
// so every iteration of the last R is kept, then every 2nd for the next R, every 4th for the next
// 2R, every 8th for the next 4R, ...: each band [R 2^(k-1), R 2^k) holds at most R/2 + 1. Since
// spacing only grows with age, a checkpoint once dropped is never wanted again, and checkpoint 0
// (a multiple of everything) is always kept. After N iterations the store holds at most
// R + (R/2 + 1) (floor(log2(N / R)) + 1) checkpoints, plus the pinned ones.
//
// Pinned checkpoints are kept whatever their age: the worker pins the first checkpoint after a
// live change (learning rate, clipping, truncation, precision, a rescaled W_hh), so replaying from
// the nearest checkpoint never crosses a change. At most kMaxPinned are kept; pinning one more
// drops the oldest pin and everything before it (that far past can no longer be recomputed).
//
// The budget: R is the largest even number whose bound for kCheckpointHorizon iterations, plus
// kMaxPinned, fits the budget at the checkpoint's size; a model too large for even R = 2 keeps
// the newest budget / size checkpoints (the oldest but checkpoint 0 go first), and one whose single
// checkpoint is larger than the budget keeps none (time travel is off for it).
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
  // The bound on count() after `iterations` iterations with window R (the formula above) plus
  // kMaxPinned.
  static int64_t count_bound(int recent, int64_t iterations);

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
  int recent() const { return recent_; }  // R
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
  int recent_ = 2;
  bool pin_next_ = false;
  using Map = std::map<int64_t, Checkpoint>;
  Map entries_;
  std::vector<Map::node_type> spare_;  // dropped nodes, buffers and all, for the next record
};

}  // namespace unrolled
