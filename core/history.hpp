// Unrolled core: the trainer's bounded history of per-iteration metrics and decay profiles.
//
// Legend: C capacity (points per scalar series), F fields (kNumFields), R profile rows,
//         D max profile length (distance cap), K current profile width (the longest profile
//         appended since clear(), <= D), w bucket width (iterations per overview point).
//
// Two views of the same stream, each with a fixed size chosen in the constructor:
//   recent    a ring of the last C iterations, raw (and of the last R profiles, raw).
//   overview  ALL iterations since 0 (or since clear()), downsampled: each point is a bucket of
//             w consecutive iterations. When the C points are full, adjacent pairs merge and w
//             doubles, so memory stays fixed however long training runs and old history is
//             averaged, never dropped. Every point but the last holds exactly w iterations.
// Merging: Count adds; IterationFirst/LossMin take the min, IterationLast/LossMax the max (NaN
// ignored, so a spike to Inf stays visible); every other field is the count-weighted mean, so
// Clipped becomes the fraction of the bucket's iterations that were clipped, and
// sum(Loss * Count) / sum(Count) is the mean of every loss appended. A NaN propagates into its
// bucket's mean (the plot shows a gap where training diverged).
//
// Profiles (the decay profile ||dL_T/dh_t|| at distance d = T - t, d = 0..T-1) are kept the same
// way in R rows, separately from the scalars (an iteration with an empty profile adds no row).
// Profiles longer than D keep distances 0..D-1. Layout for a heatmap: ROW-MAJOR (rows, K),
// row = one iteration (ring) or bucket (overview), column = distance d; element (r, d) is
// data[r * K + d]; Eigen: Map<const Matrix<double, Dynamic, Dynamic, RowMajor>>(data, rows, K).
// A row shorter than K (T changed during training) is padded with NaN (draw as "no data").
// Overview rows average each distance over the bucket's iterations that HAVE that distance (a
// per-cell count is kept), so mixing T = 20 and T = 50 gives exact means at every d.
//
// append() never allocates: every buffer is sized in the constructor. memory_bytes() reports
// those buffers; with the defaults (C 2048, R 256, D 2000) it is 10,676,224 bytes + sizeof.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace unrolled {

struct IterationRecord {
  int64_t iteration = 0;
  double loss = 0;
  double baseline = std::numeric_limits<double>::quiet_NaN();  // a trivial predictor's loss
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN when n/a for the task
  double grad_norm_before = 0;                                 // ClipRecord::global_norm_before
  double grad_norm_after = 0;                                  // ClipRecord::global_norm_after
  double learning_rate = 0;
  bool clipped = false;
  std::vector<double> profile;  // (T) gradient norm at distance d = 0..T-1; may be empty
};

// One scalar series per field, in both the ring and the overview.
enum class Field : int {
  Iteration,       // ring: the iteration; overview: the bucket's mean iteration (plot x here)
  IterationFirst,  // first iteration in the bucket (ring: the iteration)
  IterationLast,   // last iteration in the bucket (ring: the iteration)
  Loss,
  LossMin,  // smallest loss in the bucket (ring: the loss)
  LossMax,  // largest loss in the bucket (ring: the loss)
  Baseline,
  Accuracy,
  GradNormBefore,
  GradNormAfter,
  LearningRate,
  Clipped,  // ring: 0 or 1; overview: fraction of the bucket's iterations clipped
  Count,    // iterations in the bucket (ring: 1)
};
constexpr int kNumFields = 13;
// "iteration", "loss_min", "grad_norm_before", ... (CSV column names).
std::string_view to_string(Field f);

// A series to plot without copying, ImPlot's habit: element i (0 = oldest) is at byte
// (offset + i) % count * stride from data, for 0 <= i < count. The overview has offset 0.
struct Series {
  const double* data = nullptr;
  int count = 0;
  int offset = 0;
  int stride = sizeof(double);  // bytes between consecutive elements
  double operator[](int i) const {
    const auto* bytes = reinterpret_cast<const char*>(data);
    return *reinterpret_cast<const double*>(bytes + static_cast<size_t>((offset + i) % count) *
                                                        static_cast<size_t>(stride));
  }
};

// Profiles for a heatmap: see the layout above. Row i in time order (0 = oldest) is row
// (offset + i) % rows; for the ring, rows [offset, rows) and then [0, offset) are each one
// contiguous row-major block (two heatmap calls). The overview always has offset 0.
struct ProfileView {
  const double* data = nullptr;             // (rows, cols) row-major, NaN-padded
  const double* iteration_first = nullptr;  // (rows) first iteration of each row
  const double* iteration_last = nullptr;   // (rows) last iteration of each row
  const double* count = nullptr;            // (rows) iterations averaged into each row
  int rows = 0;
  int cols = 0;  // K: the longest profile appended (capped at D)
  int offset = 0;
};

// Everything a History holds, only the used parts of its buffers (sessions save it), laid out
// as History's: ring (F, ring_count) and over (F, over_count) field-major; pring
// (pring_count_used, K), pover and pover_n (pover_used, K) row-major; the per-row vectors
// (pring_count_used) and (pover_used).
struct HistoryState {
  int capacity = 0, profile_rows = 0, max_profile_length = 0;  // C, R, D
  int64_t appended = 0, width = 1, prof_width = 1;
  int ring_next = 0, ring_count = 0, over_count = 0;
  int prof_cols = 0, pring_next = 0, pring_count_used = 0, pover_used = 0;  // K, ...
  std::vector<double> ring, over;
  std::vector<double> pring, pover;
  std::vector<uint32_t> pover_n;
  std::vector<double> pring_iter, pover_first, pover_last, pover_count;
};

class History {
 public:
  static constexpr int kDefaultCapacity = 2048;
  static constexpr int kDefaultProfileRows = 256;
  static constexpr int kDefaultMaxProfileLength = 2000;

  // capacity and profile_rows even and >= 2 (pairs merge), max_profile_length >= 1; throws
  // std::invalid_argument otherwise.
  explicit History(int capacity = kDefaultCapacity, int profile_rows = kDefaultProfileRows,
                   int max_profile_length = kDefaultMaxProfileLength);

  // Iterations are expected in increasing order (not checked). Never allocates.
  void append(const IterationRecord& r);
  // Forget everything; capacities and memory stay.
  void clear();
  // Become a copy of other. With equal capacities nothing is allocated and only the used part is
  // copied (a trainer can publish snapshots into a preallocated History).
  void copy_from(const History& other);

  HistoryState state() const;
  // Becomes the history s describes. False with one message (naming the field, its value and
  // what is allowed) when s was saved with other capacities or does not hold together; then
  // nothing changes. Never allocates.
  bool restore(const HistoryState& s, std::string* error);

  Series recent(Field f) const;    // the last min(appended, C) iterations
  Series overview(Field f) const;  // every iteration since clear(), in buckets of w
  ProfileView recent_profiles() const;
  ProfileView overview_profiles() const;

  int64_t appended() const { return appended_; }  // iterations appended since clear()
  int64_t overview_bucket_width() const { return width_; }
  int64_t profile_bucket_width() const { return prof_width_; }
  double clip_fraction() const;  // fraction of recent iterations clipped; 0 when empty
  size_t memory_bytes() const;   // every buffer, from its capacity, plus the object itself

  int capacity() const { return cap_; }
  int profile_rows() const { return prof_rows_; }
  int max_profile_length() const { return max_len_; }

 private:
  double& ring_at(Field f, int i) { return ring_[static_cast<size_t>(f) * cap_ + i]; }
  double& over_at(Field f, int i) { return over_[static_cast<size_t>(f) * cap_ + i]; }
  void append_scalars(const double* v);  // v: (F) one iteration as a point
  void compact_scalars();
  void append_profile(int64_t iteration, const double* x, int len);
  void compact_profiles();
  void widen_profiles(int new_cols);

  int cap_, prof_rows_, max_len_;
  int64_t appended_ = 0;

  // Scalars, field-major: field f's series is C contiguous doubles at f * C.
  std::vector<double> ring_;  // (F, C)
  int ring_next_ = 0;         // where the next iteration goes
  int ring_count_ = 0;
  std::vector<double> over_;  // (F, C)
  int over_count_ = 0;
  int64_t width_ = 1;  // w

  // Profiles, row-major with row stride K = prof_cols_ (buffers sized for R x D).
  int prof_cols_ = 0;
  std::vector<double> pring_;        // (R, K)
  std::vector<double> pring_iter_;   // (R) iteration of each ring row
  std::vector<double> pring_count_;  // (R) all 1, so the views look alike
  int pring_next_ = 0;
  int pring_count_used_ = 0;
  std::vector<double> pover_;        // (R, K) per-distance means
  std::vector<uint32_t> pover_n_;    // (R, K) iterations averaged into each cell
  std::vector<double> pover_first_;  // (R)
  std::vector<double> pover_last_;   // (R)
  std::vector<double> pover_count_;  // (R) iterations in each bucket
  int pover_used_ = 0;
  int64_t prof_width_ = 1;
};

}  // namespace unrolled
