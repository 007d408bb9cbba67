// Legend: j a checkpoint's iteration, n the newest, a = n - j its age, R the recent window, L the
//         lattice's slots, s(n) its spacing. See checkpoints.hpp.
#include "core/checkpoints.hpp"

#include <algorithm>
#include <bit>

#include "core/trainer.hpp"

namespace unrolled {

// core/experiment.cpp's app_memory_bytes counts this budget.
static_assert(kDefaultCheckpointBudget == 64u << 20);

namespace {

// floor(log2(x)) for x >= 1.
int floor_log2(int64_t x) {
  return 63 - std::countl_zero(static_cast<uint64_t>(x));
}

}  // namespace

int64_t CheckpointStore::count_bound(int recent, int lattice, int64_t iterations) {
  return std::min<int64_t>(iterations, int64_t{recent} + lattice) + kMaxPinned;
}

CheckpointStore::CheckpointStore(size_t checkpoint_bytes, size_t budget)
    : checkpoint_bytes_(std::max<size_t>(checkpoint_bytes, 1)), budget_(budget) {
  capacity_ = budget_ / checkpoint_bytes_;  // 0: a model larger than the budget keeps none
  constexpr int64_t kMost = int64_t{1} << 20;
  const int64_t slots = static_cast<int64_t>(capacity_) - kMaxPinned;  // C
  recent_ = static_cast<int>(std::clamp<int64_t>(slots / 2, 2, kMost));
  lattice_ = static_cast<int>(std::clamp<int64_t>(slots - slots / 2, 2, kMost));
}

size_t CheckpointStore::checkpoint_bytes_for(const Trainer& t) {
  const Params& p = t.network().params();
  const size_t tensors = p.tensors().size();
  // Three parameter-shaped buffers (and their Eigen headers), the clip record's per-tensor
  // norms, the struct itself and the map node around it.
  return 3 * (sizeof(double) * static_cast<size_t>(p.num_values()) + sizeof(Params) +
              tensors * 2 * sizeof(Mat)) +
         2 * tensors * sizeof(double) + sizeof(Checkpoint) + 64;
}

int64_t CheckpointStore::spacing(int64_t n) const {
  if (n < lattice_) return 1;
  return int64_t{1} << (floor_log2(n / lattice_) + 1);  // the smallest power of two > n / L
}

bool CheckpointStore::keeps(int64_t j, int64_t n) const {
  return n - j < recent_ || j % spacing(n) == 0;
}

void CheckpointStore::clear() {
  while (!entries_.empty()) drop(entries_.begin());
  pin_next_ = false;
  sweep_ = false;
}

void CheckpointStore::drop(Map::iterator it) {
  spare_.push_back(entries_.extract(it));
}

void CheckpointStore::record(const Trainer& t, bool pin) {
  record(t.iteration(), pin, [&](TrainerState& s) { t.capture_into(s, false); });
}

Checkpoint* CheckpointStore::begin_record(int64_t n, bool pin) {
  pin = pin || pin_next_;
  pin_next_ = false;
  if (capacity_ == 0) return nullptr;
  int64_t prev = -1;
  if (!entries_.empty()) {
    auto last = std::prev(entries_.end());
    if (n < last->first) return nullptr;
    if (n == last->first) {
      last->second.pinned = last->second.pinned || pin;
      Checkpoint* c = &last->second;
      if (pin) enforce_pins();
      return c;
    }
    prev = last->first;
  }
  Map::node_type node;
  if (!spare_.empty()) {
    node = std::move(spare_.back());
    spare_.pop_back();
  } else {
    node = Map::node_type(entries_.extract(entries_.emplace(n, Checkpoint{}).first));
  }
  node.key() = n;
  node.mapped().pinned = pin;
  Checkpoint* slot = &entries_.insert(std::move(node)).position->second;
  // Judged again: the checkpoints that left the recent window since the last record, or, when
  // the spacing doubled (or insert put some in), every one outside the window.
  const int64_t s = spacing(n);
  const bool all = sweep_ || prev < 0 || spacing(prev) != s;
  sweep_ = false;
  auto it = all ? entries_.begin() : entries_.lower_bound(std::max<int64_t>(prev - recent_ + 1, 0));
  const auto end = entries_.upper_bound(n - recent_);
  while (it != end) {
    auto next = std::next(it);
    if (!it->second.pinned && it->first % s != 0) drop(it);
    it = next;
  }
  enforce_capacity();
  enforce_pins();
  return slot;
}

void CheckpointStore::enforce_capacity() {
  // Only a model too large for the budget at R = L = 2 gets here: the oldest go (but checkpoint 0).
  while (entries_.size() > capacity_ && entries_.size() > 1) {
    auto it = entries_.begin();
    if (it->first == 0 && entries_.size() > 2) ++it;
    drop(it);
  }
}

void CheckpointStore::enforce_pins() {
  int pins = 0;
  for (const auto& [j, c] : entries_) pins += c.pinned ? 1 : 0;
  while (pins > kMaxPinned) {
    // The oldest pin goes, with everything before it.
    auto it = entries_.begin();
    while (!it->second.pinned) drop(it++);
    drop(it);
    --pins;
  }
}

void CheckpointStore::amend_newest(const TrainingConfig& training) {
  if (entries_.empty()) return;
  Checkpoint& c = std::prev(entries_.end())->second;
  c.state.training = training;
  c.pinned = true;
  enforce_pins();
}

const Checkpoint* CheckpointStore::at_or_before(int64_t n) const {
  auto it = entries_.upper_bound(n);
  if (it == entries_.begin()) return nullptr;
  return &std::prev(it)->second;
}

std::vector<const Checkpoint*> CheckpointStore::all() const {
  std::vector<const Checkpoint*> out;
  out.reserve(entries_.size());
  for (const auto& [j, c] : entries_) out.push_back(&c);
  return out;
}

bool CheckpointStore::insert(Checkpoint c) {
  const int64_t n = c.state.iteration;
  if (n <= newest()) return false;
  entries_.emplace(n, std::move(c));
  sweep_ = true;
  return true;
}

}  // namespace unrolled
