// Legend: C capacity, F fields, R profile rows, D max profile length, K current profile width,
//         w bucket width. See history.hpp for what is kept and how buckets merge.
#include "core/history.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace unrolled {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int F(Field f) {
  return static_cast<int>(f);
}

// In Field order (CSV column names).
constexpr std::array<std::string_view, kNumFields> kFieldNames = {
    "iteration",
    "iteration_first",
    "iteration_last",
    "loss",
    "loss_min",
    "loss_max",
    "baseline",
    "accuracy",
    "grad_norm_before",
    "grad_norm_after",
    "learning_rate",
    "clipped",
    "count",
};

using Point = std::array<double, kNumFields>;  // (F) one bucket

// out <- the bucket holding a's and b's iterations (a earlier). out may alias a.
void merge_points(const Point& a, const Point& b, Point& out) {
  const double ca = a[F(Field::Count)], cb = b[F(Field::Count)], c = ca + cb;
  for (int f = 0; f < kNumFields; ++f) {
    switch (static_cast<Field>(f)) {
      case Field::IterationFirst:
      case Field::LossMin:  // fmin/fmax skip NaN, keep Inf
        out[f] = std::fmin(a[f], b[f]);
        break;
      case Field::IterationLast:
      case Field::LossMax:
        out[f] = std::fmax(a[f], b[f]);
        break;
      case Field::Count:
        out[f] = c;
        break;
      default:
        out[f] = (ca * a[f] + cb * b[f]) / c;  // count-weighted mean
    }
  }
}

// One cell of a merged profile row: mean of (ma over na iterations) and (mb over nb).
// Written out so that an absent side (n = 0, value NaN padding) does not poison the mean.
double merge_cell(double ma, uint32_t na, double mb, uint32_t nb) {
  if (na == 0) return nb == 0 ? kNaN : mb;
  if (nb == 0) return ma;
  return (na * ma + nb * mb) / (static_cast<double>(na) + nb);
}

// Rows of buf laid out with stride old_cols re-laid with stride new_cols > old_cols, padding
// the new columns. Walks rows from last to first so no row is overwritten before it moves.
template <class T>
void relayout(std::vector<T>& buf, int rows, int old_cols, int new_cols, T pad) {
  for (int r = rows - 1; r >= 0; --r) {
    T* src = buf.data() + static_cast<size_t>(r) * old_cols;
    T* dst = buf.data() + static_cast<size_t>(r) * new_cols;
    std::copy_backward(src, src + old_cols, dst + old_cols);
    std::fill(dst + old_cols, dst + new_cols, pad);
  }
}

}  // namespace

std::string_view to_string(Field f) {
  const int i = F(f);
  return i >= 0 && i < kNumFields ? kFieldNames[i] : "?";
}

History::History(int capacity, int profile_rows, int max_profile_length)
    : cap_(capacity), prof_rows_(profile_rows), max_len_(max_profile_length) {
  if (cap_ < 2 || cap_ % 2 != 0 || prof_rows_ < 2 || prof_rows_ % 2 != 0 || max_len_ < 1)
    throw std::invalid_argument(
        "History: capacity and profile_rows must be even and >= 2, max_profile_length >= 1");
  const size_t cells = static_cast<size_t>(prof_rows_) * max_len_;
  ring_.assign(static_cast<size_t>(kNumFields) * cap_, kNaN);
  over_.assign(static_cast<size_t>(kNumFields) * cap_, kNaN);
  pring_.assign(cells, kNaN);
  pring_iter_.assign(prof_rows_, kNaN);
  pring_count_.assign(prof_rows_, 1.0);
  pover_.assign(cells, kNaN);
  pover_n_.assign(cells, 0);
  pover_first_.assign(prof_rows_, kNaN);
  pover_last_.assign(prof_rows_, kNaN);
  pover_count_.assign(prof_rows_, 0.0);
}

void History::clear() {
  appended_ = 0;
  ring_next_ = ring_count_ = over_count_ = 0;
  width_ = 1;
  prof_cols_ = 0;
  pring_next_ = pring_count_used_ = pover_used_ = 0;
  prof_width_ = 1;
  // Not needed for correctness (views never expose unused rows), but keeps old data out of a
  // debugger's view.
  std::fill(ring_.begin(), ring_.end(), kNaN);
  std::fill(over_.begin(), over_.end(), kNaN);
  std::fill(pring_.begin(), pring_.end(), kNaN);
  std::fill(pover_.begin(), pover_.end(), kNaN);
  std::fill(pover_n_.begin(), pover_n_.end(), 0u);
}

void History::copy_from(const History& other) {
  if (this == &other) return;
  if (cap_ != other.cap_ || prof_rows_ != other.prof_rows_ || max_len_ != other.max_len_) {
    *this = other;
    return;
  }
  // Scalars: the used prefix of every field (a full ring uses all C).
  for (int f = 0; f < kNumFields; ++f) {
    const size_t base = static_cast<size_t>(f) * cap_;
    std::copy_n(other.ring_.begin() + base, other.ring_count_, ring_.begin() + base);
    std::copy_n(other.over_.begin() + base, other.over_count_, over_.begin() + base);
  }
  // Profiles: used rows at other's stride K.
  const size_t K = other.prof_cols_;
  std::copy_n(other.pring_.begin(), other.pring_count_used_ * K, pring_.begin());
  std::copy_n(other.pring_iter_.begin(), other.pring_count_used_, pring_iter_.begin());
  std::copy_n(other.pover_.begin(), other.pover_used_ * K, pover_.begin());
  std::copy_n(other.pover_n_.begin(), other.pover_used_ * K, pover_n_.begin());
  std::copy_n(other.pover_first_.begin(), other.pover_used_, pover_first_.begin());
  std::copy_n(other.pover_last_.begin(), other.pover_used_, pover_last_.begin());
  std::copy_n(other.pover_count_.begin(), other.pover_used_, pover_count_.begin());
  appended_ = other.appended_;
  ring_next_ = other.ring_next_;
  ring_count_ = other.ring_count_;
  over_count_ = other.over_count_;
  width_ = other.width_;
  prof_cols_ = other.prof_cols_;
  pring_next_ = other.pring_next_;
  pring_count_used_ = other.pring_count_used_;
  pover_used_ = other.pover_used_;
  prof_width_ = other.prof_width_;
}

HistoryState History::state() const {
  HistoryState s;
  s.capacity = cap_;
  s.profile_rows = prof_rows_;
  s.max_profile_length = max_len_;
  s.appended = appended_;
  s.width = width_;
  s.prof_width = prof_width_;
  s.ring_next = ring_next_;
  s.ring_count = ring_count_;
  s.over_count = over_count_;
  s.prof_cols = prof_cols_;
  s.pring_next = pring_next_;
  s.pring_count_used = pring_count_used_;
  s.pover_used = pover_used_;
  // The used prefixes, as copy_from copies them (a ring that is not full fills [0, count)).
  for (int f = 0; f < kNumFields; ++f) {
    const auto base = static_cast<size_t>(f) * cap_;
    s.ring.insert(s.ring.end(), ring_.begin() + base, ring_.begin() + base + ring_count_);
  }
  for (int f = 0; f < kNumFields; ++f) {
    const auto base = static_cast<size_t>(f) * cap_;
    s.over.insert(s.over.end(), over_.begin() + base, over_.begin() + base + over_count_);
  }
  const size_t K = prof_cols_;
  s.pring.assign(pring_.begin(), pring_.begin() + pring_count_used_ * K);
  s.pring_iter.assign(pring_iter_.begin(), pring_iter_.begin() + pring_count_used_);
  s.pover.assign(pover_.begin(), pover_.begin() + pover_used_ * K);
  s.pover_n.assign(pover_n_.begin(), pover_n_.begin() + pover_used_ * K);
  s.pover_first.assign(pover_first_.begin(), pover_first_.begin() + pover_used_);
  s.pover_last.assign(pover_last_.begin(), pover_last_.begin() + pover_used_);
  s.pover_count.assign(pover_count_.begin(), pover_count_.begin() + pover_used_);
  return s;
}

bool History::restore(const HistoryState& s, std::string* error) {
  const auto fail = [&](const std::string& field, int64_t value, const std::string& allowed) {
    if (error)
      *error = "history." + field + " = " + std::to_string(value) + ": must be " + allowed;
    return false;
  };
  const std::string C = std::to_string(cap_), R = std::to_string(prof_rows_);
  if (s.capacity != cap_) return fail("capacity", s.capacity, C);
  if (s.profile_rows != prof_rows_) return fail("profile_rows", s.profile_rows, R);
  if (s.max_profile_length != max_len_)
    return fail("max_profile_length", s.max_profile_length, std::to_string(max_len_));
  if (s.appended < 0) return fail("appended", s.appended, ">= 0");
  if (s.width < 1) return fail("width", s.width, ">= 1");
  if (s.prof_width < 1) return fail("prof_width", s.prof_width, ">= 1");
  if (s.ring_count < 0 || s.ring_count > cap_)
    return fail("ring_count", s.ring_count, "in [0, " + C + "]");
  // Not full: the ring fills [0, count) and the next slot is count.
  if (s.ring_next < 0 || s.ring_next >= cap_ || (s.ring_count < cap_ && s.ring_next != s.ring_count))
    return fail("ring_next", s.ring_next, "in [0, " + C + "), ring_count unless the ring is full");
  if (s.over_count < 0 || s.over_count > cap_)
    return fail("over_count", s.over_count, "in [0, " + C + "]");
  if (s.prof_cols < 0 || s.prof_cols > max_len_)
    return fail("prof_cols", s.prof_cols, "in [0, " + std::to_string(max_len_) + "]");
  if (s.pring_count_used < 0 || s.pring_count_used > prof_rows_)
    return fail("pring_count_used", s.pring_count_used, "in [0, " + R + "]");
  if (s.pring_next < 0 || s.pring_next >= prof_rows_ ||
      (s.pring_count_used < prof_rows_ && s.pring_next != s.pring_count_used))
    return fail("pring_next", s.pring_next, "in [0, " + R + "), pring_count_used unless full");
  if (s.pover_used < 0 || s.pover_used > prof_rows_)
    return fail("pover_used", s.pover_used, "in [0, " + R + "]");
  const size_t K = s.prof_cols, rings = s.pring_count_used, overs = s.pover_used;
  const auto size_ok = [&](const char* field, size_t have, size_t want) {
    return have == want ? true
                        : fail(std::string(field) + " length", static_cast<int64_t>(have),
                               std::to_string(want));
  };
  if (!size_ok("ring", s.ring.size(), size_t{kNumFields} * s.ring_count) ||
      !size_ok("over", s.over.size(), size_t{kNumFields} * s.over_count) ||
      !size_ok("pring", s.pring.size(), rings * K) || !size_ok("pover", s.pover.size(), overs * K) ||
      !size_ok("pover_n", s.pover_n.size(), overs * K) ||
      !size_ok("pring_iter", s.pring_iter.size(), rings) ||
      !size_ok("pover_first", s.pover_first.size(), overs) ||
      !size_ok("pover_last", s.pover_last.size(), overs) ||
      !size_ok("pover_count", s.pover_count.size(), overs))
    return false;
  clear();
  for (int f = 0; f < kNumFields; ++f) {
    const auto base = static_cast<size_t>(f) * cap_;
    std::copy_n(s.ring.begin() + f * s.ring_count, s.ring_count, ring_.begin() + base);
    std::copy_n(s.over.begin() + f * s.over_count, s.over_count, over_.begin() + base);
  }
  std::copy(s.pring.begin(), s.pring.end(), pring_.begin());
  std::copy(s.pring_iter.begin(), s.pring_iter.end(), pring_iter_.begin());
  std::copy(s.pover.begin(), s.pover.end(), pover_.begin());
  std::copy(s.pover_n.begin(), s.pover_n.end(), pover_n_.begin());
  std::copy(s.pover_first.begin(), s.pover_first.end(), pover_first_.begin());
  std::copy(s.pover_last.begin(), s.pover_last.end(), pover_last_.begin());
  std::copy(s.pover_count.begin(), s.pover_count.end(), pover_count_.begin());
  appended_ = s.appended;
  width_ = s.width;
  prof_width_ = s.prof_width;
  ring_next_ = s.ring_next;
  ring_count_ = s.ring_count;
  over_count_ = s.over_count;
  prof_cols_ = s.prof_cols;
  pring_next_ = s.pring_next;
  pring_count_used_ = s.pring_count_used;
  pover_used_ = s.pover_used;
  return true;
}

void History::append(const IterationRecord& r) {
  const double it = static_cast<double>(r.iteration);
  Point v;
  v[F(Field::Iteration)] = v[F(Field::IterationFirst)] = v[F(Field::IterationLast)] = it;
  v[F(Field::Loss)] = v[F(Field::LossMin)] = v[F(Field::LossMax)] = r.loss;
  v[F(Field::Baseline)] = r.baseline;
  v[F(Field::Accuracy)] = r.accuracy;
  v[F(Field::GradNormBefore)] = r.grad_norm_before;
  v[F(Field::GradNormAfter)] = r.grad_norm_after;
  v[F(Field::LearningRate)] = r.learning_rate;
  v[F(Field::Clipped)] = r.clipped ? 1.0 : 0.0;
  v[F(Field::Count)] = 1.0;
  append_scalars(v.data());
  if (!r.profile.empty())
    append_profile(r.iteration, r.profile.data(),
                   static_cast<int>(std::min<size_t>(r.profile.size(), max_len_)));
  ++appended_;
}

void History::append_scalars(const double* v) {
  for (int f = 0; f < kNumFields; ++f) ring_at(static_cast<Field>(f), ring_next_) = v[f];
  ring_next_ = (ring_next_ + 1) % cap_;
  ring_count_ = std::min(ring_count_ + 1, cap_);

  Point b;
  std::copy_n(v, kNumFields, b.begin());
  if (over_count_ > 0 && over_at(Field::Count, over_count_ - 1) < static_cast<double>(width_)) {
    const int last = over_count_ - 1;  // the last bucket has room: fold v into it
    Point a;
    for (int f = 0; f < kNumFields; ++f) a[f] = over_at(static_cast<Field>(f), last);
    merge_points(a, b, a);
    for (int f = 0; f < kNumFields; ++f) over_at(static_cast<Field>(f), last) = a[f];
    return;
  }
  if (over_count_ == cap_) compact_scalars();
  for (int f = 0; f < kNumFields; ++f) over_at(static_cast<Field>(f), over_count_) = b[f];
  ++over_count_;
}

// C full buckets of width w -> C/2 full buckets of width 2w.
void History::compact_scalars() {
  Point a, b;
  for (int i = 0; i < over_count_ / 2; ++i) {
    for (int f = 0; f < kNumFields; ++f) {
      a[f] = over_at(static_cast<Field>(f), 2 * i);
      b[f] = over_at(static_cast<Field>(f), 2 * i + 1);
    }
    merge_points(a, b, a);
    for (int f = 0; f < kNumFields; ++f) over_at(static_cast<Field>(f), i) = a[f];
  }
  over_count_ /= 2;
  width_ *= 2;
}

void History::widen_profiles(int new_cols) {
  relayout(pring_, prof_rows_, prof_cols_, new_cols, kNaN);
  relayout(pover_, prof_rows_, prof_cols_, new_cols, kNaN);
  relayout(pover_n_, prof_rows_, prof_cols_, new_cols, 0u);
  prof_cols_ = new_cols;
}

void History::append_profile(int64_t iteration, const double* x, int len) {
  if (len > prof_cols_) widen_profiles(len);
  const int K = prof_cols_;
  const double it = static_cast<double>(iteration);

  double* row = pring_.data() + static_cast<size_t>(pring_next_) * K;  // (K)
  std::copy_n(x, len, row);
  std::fill(row + len, row + K, kNaN);
  pring_iter_[pring_next_] = it;
  pring_next_ = (pring_next_ + 1) % prof_rows_;
  pring_count_used_ = std::min(pring_count_used_ + 1, prof_rows_);

  if (pover_used_ > 0 && pover_count_[pover_used_ - 1] < static_cast<double>(prof_width_)) {
    const size_t last = static_cast<size_t>(pover_used_ - 1);
    double* m = pover_.data() + last * K;      // (K) means
    uint32_t* n = pover_n_.data() + last * K;  // (K) counts
    for (int d = 0; d < len; ++d) {
      m[d] = merge_cell(m[d], n[d], x[d], 1);
      ++n[d];
    }
    pover_first_[last] = std::fmin(pover_first_[last], it);
    pover_last_[last] = std::fmax(pover_last_[last], it);
    pover_count_[last] += 1.0;
    return;
  }
  if (pover_used_ == prof_rows_) compact_profiles();
  const size_t r = static_cast<size_t>(pover_used_++);
  double* m = pover_.data() + r * K;
  uint32_t* n = pover_n_.data() + r * K;
  std::copy_n(x, len, m);
  std::fill(m + len, m + K, kNaN);
  std::fill(n, n + len, 1u);
  std::fill(n + len, n + K, 0u);
  pover_first_[r] = pover_last_[r] = it;
  pover_count_[r] = 1.0;
}

// R full rows of width w -> R/2 rows of width 2w; each distance averages only the iterations
// that reached it. Row i is written from rows 2i and 2i+1 (>= i), cell by cell.
void History::compact_profiles() {
  const size_t K = prof_cols_;
  for (int i = 0; i < pover_used_ / 2; ++i) {
    const size_t a = 2 * i, b = 2 * i + 1, o = i;
    for (size_t d = 0; d < K; ++d) {
      const uint32_t na = pover_n_[a * K + d], nb = pover_n_[b * K + d];
      pover_[o * K + d] = merge_cell(pover_[a * K + d], na, pover_[b * K + d], nb);
      pover_n_[o * K + d] = na + nb;
    }
    pover_first_[o] = std::fmin(pover_first_[a], pover_first_[b]);
    pover_last_[o] = std::fmax(pover_last_[a], pover_last_[b]);
    pover_count_[o] = pover_count_[a] + pover_count_[b];
  }
  pover_used_ /= 2;
  prof_width_ *= 2;
}

Series History::recent(Field f) const {
  Series s;
  s.data = ring_.data() + static_cast<size_t>(F(f)) * cap_;
  s.count = ring_count_;
  s.offset = ring_count_ == cap_ ? ring_next_ : 0;  // full: the next slot holds the oldest
  return s;
}

Series History::overview(Field f) const {
  Series s;
  s.data = over_.data() + static_cast<size_t>(F(f)) * cap_;
  s.count = over_count_;
  return s;
}

ProfileView History::recent_profiles() const {
  ProfileView v;
  v.data = pring_.data();
  v.iteration_first = v.iteration_last = pring_iter_.data();
  v.count = pring_count_.data();
  v.rows = pring_count_used_;
  v.cols = prof_cols_;
  v.offset = pring_count_used_ == prof_rows_ ? pring_next_ : 0;
  return v;
}

ProfileView History::overview_profiles() const {
  ProfileView v;
  v.data = pover_.data();
  v.iteration_first = pover_first_.data();
  v.iteration_last = pover_last_.data();
  v.count = pover_count_.data();
  v.rows = pover_used_;
  v.cols = prof_cols_;
  return v;
}

double History::clip_fraction() const {
  if (ring_count_ == 0) return 0.0;
  const double* c = ring_.data() + static_cast<size_t>(F(Field::Clipped)) * cap_;
  double s = 0;
  for (int i = 0; i < ring_count_; ++i) s += c[i];  // order does not matter for a sum
  return s / ring_count_;
}

size_t History::memory_bytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  return sizeof(*this) + bytes(ring_) + bytes(over_) + bytes(pring_) + bytes(pring_iter_) +
         bytes(pring_count_) + bytes(pover_) + bytes(pover_n_) + bytes(pover_first_) +
         bytes(pover_last_) + bytes(pover_count_);
}

}  // namespace unrolled
