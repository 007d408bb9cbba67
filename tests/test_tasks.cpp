// Legend: B batch, T steps, I input, O output, K classes, S symbols, V vocabulary.
//
// Every documented baseline is measured here from generated batches, by a predictor that does what
// the note says (answer 1, answer blank then guess, guess uniformly, ...).
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/tasks.hpp"

namespace unrolled {
namespace {

const std::vector<TaskKind> kAllKinds{TaskKind::Adding, TaskKind::Copy,   TaskKind::Recall,
                                      TaskKind::Sine,   TaskKind::CharLm, TaskKind::Sentiment};

std::unique_ptr<Task> make_ok(const TaskSpec& spec) {
  std::string error;
  auto task = make_task(spec, &error);
  EXPECT_TRUE(task) << error;
  return task;
}

// The single index where a one-hot column is 1.
int hot(const Mat& m, Eigen::Index col) {
  Eigen::Index k = 0;
  m.col(col).maxCoeff(&k);
  return static_cast<int>(k);
}

// -log softmax(logits)[target] for a one-hot target column.
double cross_entropy(const Eigen::VectorXd& logits, const Eigen::VectorXd& target) {
  const double m = logits.maxCoeff();
  const double lse = m + std::log((logits.array() - m).exp().sum());
  return -(target.array() * (logits.array() - lse)).sum();
}

// Mean cross-entropy over every scored step and sequence, mask empty (all ones).
double mean_cross_entropy(const Batch& b, const std::vector<Mat>& logits) {
  double sum = 0;
  int n = 0;
  for (size_t s = 0; s < b.targets.size(); ++s)
    for (Eigen::Index c = 0; c < b.targets[s].cols(); ++c, ++n)
      sum += cross_entropy(logits[s].col(c), b.targets[s].col(c));
  return sum / n;
}

// A file in the temporary directory, removed when the test ends.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& name, const std::string& bytes = "") {
    path = std::filesystem::temp_directory_path() /
           ("unrolled_test_tasks_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

TaskSpec charlm_spec(const std::string& text, int length) {
  TaskSpec s = default_task_spec(TaskKind::CharLm);
  s.charlm.text = text;
  s.length = length;
  return s;
}

bool same_batch(const Batch& a, const Batch& b) {
  if (a.inputs.size() != b.inputs.size() || a.targets.size() != b.targets.size()) return false;
  for (size_t t = 0; t < a.inputs.size(); ++t)
    if (a.inputs[t] != b.inputs[t]) return false;
  for (size_t t = 0; t < a.targets.size(); ++t)
    if (a.targets[t] != b.targets[t]) return false;
  return a.mask.size() == b.mask.size() && (a.mask.size() == 0 || a.mask == b.mask);
}

}  // namespace

TEST(TaskNames, RoundTrip) {
  for (TaskKind k : kAllKinds) {
    TaskKind back{};
    ASSERT_TRUE(parse(to_string(k), back));
    EXPECT_EQ(back, k);
  }
  TaskKind k{};
  EXPECT_FALSE(parse("addition", k));
  EXPECT_EQ(allowed_names(TaskKind{}), "adding|copy|recall|sine|charlm|sentiment");
}

TEST(TaskShapes, EveryTaskMatchesItsInfo) {
  for (TaskKind kind : kAllKinds) {
    SCOPED_TRACE(std::string(to_string(kind)));
    auto task = make_ok(default_task_spec(kind));
    ASSERT_TRUE(task);
    const TaskInfo& info = task->info();
    EXPECT_EQ(info.name, to_string(kind));
    EXPECT_FALSE(info.description.empty());
    EXPECT_FALSE(info.baseline_note.empty());
    EXPECT_GT(info.baseline, 0.0);
    EXPECT_EQ(static_cast<int>(info.input_labels.size()), info.input_size);
    EXPECT_EQ(static_cast<int>(info.output_labels.size()), info.output_size);
    EXPECT_EQ(info.has_accuracy, info.loss == LossKind::CrossEntropy);

    const int B = 7;
    Rng rng(3);
    const Batch b = task->batch(rng, B);
    ASSERT_EQ(b.steps(), info.steps);
    ASSERT_EQ(b.batch_size(), B);
    const int target_steps = info.readout == Readout::Every ? info.steps : 1;
    ASSERT_EQ(static_cast<int>(b.targets.size()), target_steps);
    EXPECT_EQ(b.mask.size(), 0);  // every scored step weighs 1
    for (const Mat& x : b.inputs) {
      EXPECT_EQ(x.rows(), info.input_size);
      EXPECT_EQ(x.cols(), B);
      EXPECT_TRUE(x.allFinite());
    }
    for (const Mat& y : b.targets) {
      EXPECT_EQ(y.rows(), info.output_size);
      EXPECT_EQ(y.cols(), B);
      EXPECT_TRUE(y.allFinite());
      if (info.loss == LossKind::CrossEntropy) {
        // One-hot columns: entries 0 or 1, exactly one 1.
        EXPECT_TRUE((y.array() == 0.0 || y.array() == 1.0).all());
        EXPECT_TRUE((y.colwise().sum().array() == 1.0).all());
      }
    }
    if (kind != TaskKind::Adding && kind != TaskKind::Sine) {  // symbol tasks: one-hot inputs
      for (const Mat& x : b.inputs) EXPECT_TRUE((x.colwise().sum().array() == 1.0).all());
    }
  }
}

TEST(TaskDeterminism, SameSeedSameBatchOtherSeedOtherBatch) {
  for (TaskKind kind : kAllKinds) {
    SCOPED_TRACE(std::string(to_string(kind)));
    TaskSpec spec = default_task_spec(kind);
    if (kind == TaskKind::CharLm) spec = charlm_spec("sonnets", 30);  // "hello" has one window
    auto task = make_ok(spec);
    ASSERT_TRUE(task);
    Rng a(11), b(11), c(12);
    const Batch first = task->batch(a, 16);
    EXPECT_TRUE(same_batch(first, task->batch(b, 16)));
    EXPECT_FALSE(same_batch(first, task->batch(c, 16)));
    EXPECT_FALSE(same_batch(first, task->batch(a, 16)));  // the stream moves on
  }
}

TEST(TaskAdding, MarkersOnePerHalfAndTargetIsTheirSum) {
  for (int T : {2, 3, 50, 101}) {
    TaskSpec spec = default_task_spec(TaskKind::Adding);
    spec.length = T;
    auto task = make_ok(spec);
    ASSERT_TRUE(task);
    Rng rng(5);
    const int B = 64;
    const Batch b = task->batch(rng, B);
    std::set<int> firsts, seconds;
    for (int c = 0; c < B; ++c) {
      std::vector<int> marked;
      for (int t = 0; t < T; ++t) {
        const double v = b.inputs[t](0, c), m = b.inputs[t](1, c);
        EXPECT_GE(v, 0.0);
        EXPECT_LT(v, 1.0);
        EXPECT_TRUE(m == 0.0 || m == 1.0);
        if (m == 1.0) marked.push_back(t);
      }
      ASSERT_EQ(marked.size(), 2u) << "T=" << T;
      EXPECT_LT(marked[0], T / 2);
      EXPECT_GE(marked[1], T / 2);
      firsts.insert(marked[0]);
      seconds.insert(marked[1]);
      EXPECT_DOUBLE_EQ(b.targets[0](0, c), b.inputs[marked[0]](0, c) + b.inputs[marked[1]](0, c));
    }
    if (T == 50) {  // the positions really vary over both halves
      EXPECT_GT(firsts.size(), 10u);
      EXPECT_GT(seconds.size(), 10u);
    }
  }
}

TEST(TaskAdding, BaselineOfAnsweringOneIsOneSixth) {
  // (sum - 1) is triangular on [-1, 1]: E[(sum-1)^2] = 1/6, E[(sum-1)^4] = 1/15, so one squared
  // error has standard deviation sqrt(1/15 - 1/36) = 0.197. Over N = 20000 sequences the mean has
  // standard error 0.0014; 0.007 is five of those.
  auto task = make_ok(default_task_spec(TaskKind::Adding));
  ASSERT_TRUE(task);
  EXPECT_DOUBLE_EQ(task->info().baseline, 1.0 / 6.0);
  Rng rng(2024);
  double se_one = 0, sum = 0;
  const int batches = 20, B = 1000;
  for (int k = 0; k < batches; ++k) {
    const Batch b = task->batch(rng, B);
    se_one += (b.targets[0].array() - 1.0).square().sum();
    sum += b.targets[0].sum();
  }
  const int N = batches * B;
  EXPECT_NEAR(se_one / N, task->info().baseline, 0.007);
  EXPECT_NEAR(sum / N, 1.0, 0.01);  // 1 is the best constant answer: the mean
  EXPECT_TRUE(std::isnan(task->accuracy(task->batch(rng, 2), {Mat::Zero(1, 2)})));
}

TEST(TaskCopy, RecallStepsRepeatTheSymbolsAfterTheDelimiter) {
  TaskSpec spec = default_task_spec(TaskKind::Copy);
  spec.length = 7;
  spec.copy.symbols = 5;
  spec.copy.count = 3;
  auto task = make_ok(spec);
  ASSERT_TRUE(task);
  const TaskInfo& info = task->info();
  const int L = 7, S = 5, c = 3;
  ASSERT_EQ(info.steps, L + 2 * c);
  ASSERT_EQ(info.input_size, S + 2);
  ASSERT_EQ(info.output_size, S + 1);
  Rng rng(9);
  const Batch b = task->batch(rng, 32);
  for (int col = 0; col < 32; ++col) {
    for (int t = 0; t < info.steps; ++t) {
      const int x = hot(b.inputs[t], col), y = hot(b.targets[t], col);
      if (t < c) {
        EXPECT_GE(x, 1);
        EXPECT_LE(x, S);
        EXPECT_EQ(hot(b.targets[c + L + t], col), x);  // asked for L + c steps later
      } else if (t == c + L - 1) {
        EXPECT_EQ(x, S + 1);  // the delimiter
      } else {
        EXPECT_EQ(x, 0);  // blank
      }
      if (t < c + L) {
        EXPECT_EQ(y, 0);  // blank until the delimiter has passed
      } else {
        EXPECT_GE(y, 1);
      }
    }
  }
}

TEST(TaskCopy, BaselineIsThatOfTheBestMemorylessPredictor) {
  // The best predictor that remembers nothing answers, at each step, the distribution of that
  // step's target. Estimate it from one set of batches, score it on another: its cross-entropy must
  // be c ln S / (L + 2c).
  struct Case {
    int L, S, c;
  };
  for (Case k : {Case{20, 8, 10}, Case{7, 4, 3}}) {
    SCOPED_TRACE("L=" + std::to_string(k.L));
    TaskSpec spec = default_task_spec(TaskKind::Copy);
    spec.length = k.L;
    spec.copy.symbols = k.S;
    spec.copy.count = k.c;
    auto task = make_ok(spec);
    ASSERT_TRUE(task);
    const TaskInfo& info = task->info();
    EXPECT_NEAR(info.baseline, k.c * std::log(k.S) / (k.L + 2 * k.c), 1e-12);
    if (k.S == 8 && k.c == 10) {  // the classic form, 10 ln 8 / (T + 20)
      EXPECT_NEAR(info.baseline, 10 * std::log(8.0) / (k.L + 20), 1e-12);
    }

    Rng rng(77);
    const int T = info.steps, O = info.output_size;
    Mat counts = Mat::Constant(O, T, 0.5);  // (O, T) add-a-half smoothing
    for (int rep = 0; rep < 5; ++rep) {
      const Batch b = task->batch(rng, 2000);
      for (int t = 0; t < T; ++t) counts.col(t) += b.targets[t].rowwise().sum();
    }
    std::vector<Mat> logits(T);  // T x (O, B): the same log-probabilities for every sequence
    const int B = 2000;
    for (int t = 0; t < T; ++t)
      logits[t] = (counts.col(t) / counts.col(t).sum()).array().log().matrix().replicate(1, B);
    double ce = 0, acc = 0;
    const int reps = 3;
    for (int rep = 0; rep < reps; ++rep) {
      const Batch b = task->batch(rng, B);
      ce += mean_cross_entropy(b, logits);
      acc += task->accuracy(b, logits);
    }
    EXPECT_NEAR(ce / reps, info.baseline, 0.01 * info.baseline);
    // Accuracy counts only the recall steps, where the memoryless guess is right 1 time in S.
    EXPECT_NEAR(acc / reps, 1.0 / k.S, 0.03);
  }
}

TEST(TaskRecall, AnswerIsTheFirstSymbolAndBaselineIsLnK) {
  TaskSpec spec = default_task_spec(TaskKind::Recall);
  spec.length = 30;
  spec.recall.classes = 5;
  spec.recall.distractors = 3;
  auto task = make_ok(spec);
  ASSERT_TRUE(task);
  const TaskInfo& info = task->info();
  const int K = 5;
  ASSERT_EQ(info.steps, 31);
  ASSERT_EQ(info.input_size, 8);
  ASSERT_EQ(info.output_size, K);
  EXPECT_NEAR(info.baseline, std::log(5.0), 1e-12);

  Rng rng(4);
  const int B = 4000, reps = 5;
  Eigen::VectorXd freq = Eigen::VectorXd::Zero(K);
  Batch b;
  for (int rep = 0; rep < reps; ++rep) {
    b = task->batch(rng, B);
    for (int c = 0; c < B; ++c) {
      const int key = hot(b.inputs[0], c);
      ASSERT_LT(key, K);
      ASSERT_EQ(hot(b.targets[0], c), key);
      for (int t = 1; t < info.steps; ++t) ASSERT_GE(hot(b.inputs[t], c), K);  // distractors
      freq(key) += 1.0 / (B * reps);
    }
  }
  // The best memoryless answer is the class frequencies; its cross-entropy, their entropy, must be
  // ln K (a uniform class). Over 20000 draws the plug-in bias is (K-1)/(2*20000) = 1e-4 and the
  // sampling error of the entropy is of the same order.
  const double entropy = -(freq.array() * freq.array().log()).sum();
  EXPECT_NEAR(entropy, info.baseline, 0.002);
  const std::vector<Mat> guess{Mat::Zero(K, B)};  // uniform logits
  EXPECT_NEAR(mean_cross_entropy(b, guess), info.baseline, 1e-12);
  EXPECT_NEAR(task->accuracy(b, guess), 1.0 / K, 0.01);  // argmax of a tie is class 0
  // A network that remembers step 0 answers perfectly.
  const std::vector<Mat> remember{b.inputs[0].topRows(K)};
  EXPECT_DOUBLE_EQ(task->accuracy(b, remember), 1.0);
}

TEST(TaskSine, PersistenceAndZeroBaselinesMatchTheirFormulas) {
  struct Case {
    std::vector<double> freqs;
    double noise;
    bool persistence_wins;
  };
  for (const Case& k :
       {Case{{0.05}, 0.1, true}, Case{{0.03, 0.11}, 0.0, true}, Case{{0.45}, 0.2, false}}) {
    SCOPED_TRACE(k.freqs.size() * 10 + k.noise);
    TaskSpec spec = default_task_spec(TaskKind::Sine);
    spec.sine.frequencies = k.freqs;
    spec.sine.noise = k.noise;
    auto task = make_ok(spec);
    ASSERT_TRUE(task);
    const TaskInfo& info = task->info();
    const double a = 1.0 / k.freqs.size();
    double zero = 0, persistence = k.noise * k.noise;
    for (double f : k.freqs) {
      zero += a * a / 2;
      persistence += a * a * (1 - std::cos(2 * std::numbers::pi * f));
    }
    EXPECT_NEAR(info.baseline, std::min(zero, persistence), 1e-12);
    EXPECT_EQ(info.baseline_note.find("repeating") < info.baseline_note.find("answering 0"),
              k.persistence_wins)
        << info.baseline_note;

    Rng rng(8);
    double se_persist = 0, se_zero = 0;
    long n = 0;
    for (int rep = 0; rep < 4; ++rep) {
      const Batch b = task->batch(rng, 1000);
      for (int t = 0; t < info.steps; ++t) {
        se_persist += (b.targets[t] - b.inputs[t]).array().square().sum();
        se_zero += b.targets[t].array().square().sum();
        n += b.targets[t].size();
      }
    }
    EXPECT_NEAR(se_persist / n, persistence, 0.03 * persistence);
    EXPECT_NEAR(se_zero / n, zero, 0.03 * zero);
  }
}

TEST(TaskCharLm, HelloIsTheLectureExample) {
  auto task = CharLmTask::create(default_task_spec(TaskKind::CharLm), nullptr);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->vocabulary(), (std::vector<std::string>{"h", "e", "l", "o"}));
  EXPECT_EQ(task->info().input_labels, (std::vector<std::string>{"h", "e", "l", "o"}));
  EXPECT_EQ(task->info().steps, 4);
  EXPECT_NEAR(task->info().baseline, std::log(4.0), 1e-12);
  Rng rng(1);
  const Batch b = task->batch(rng, 3);
  for (int c = 0; c < 3; ++c) {
    std::vector<int> in, out;
    for (int t = 0; t < 4; ++t) {
      in.push_back(hot(b.inputs[t], c));
      out.push_back(hot(b.targets[t], c));
    }
    EXPECT_EQ(task->decode(in), "hell");
    EXPECT_EQ(task->decode(out), "ello");
  }
  EXPECT_EQ(task->decode(4), "");
  EXPECT_EQ(task->decode(-1), "");
  // make_task gives the same task behind the base interface.
  auto base = make_ok(default_task_spec(TaskKind::CharLm));
  ASSERT_TRUE(base);
  EXPECT_NE(dynamic_cast<const CharLmTask*>(base.get()), nullptr);
}

TEST(TaskCharLm, SonnetsBaselineIsLnVForAUniformGuess) {
  auto task = CharLmTask::create(charlm_spec("sonnets", 64), nullptr);
  ASSERT_TRUE(task);
  const TaskInfo& info = task->info();
  const int V = static_cast<int>(task->vocabulary().size());
  EXPECT_GT(V, 40);  // letters of both cases, punctuation, space, newline
  EXPECT_GT(task->text().size(), 5000u);
  EXPECT_EQ(info.input_size, V);
  EXPECT_NEAR(info.baseline, std::log(V), 1e-12);
  EXPECT_EQ(task->decode(std::vector<int>(task->text().begin(), task->text().begin() + 21)),
            "I\n\nFrom fairest creat");

  Rng rng(6);
  const Batch b = task->batch(rng, 32);
  const std::vector<Mat> uniform(info.steps, Mat::Zero(V, 32));
  EXPECT_NEAR(mean_cross_entropy(b, uniform), info.baseline, 1e-9);
  // Guessing by character frequency alone does better than uniform, as the note says.
  Eigen::VectorXd freq = Eigen::VectorXd::Zero(V);
  for (int k : task->text()) freq(k) += 1.0 / task->text().size();
  const std::vector<Mat> unigram(info.steps, freq.array().log().matrix().replicate(1, 32));
  EXPECT_LT(mean_cross_entropy(b, unigram), info.baseline - 0.5);
  // Windows are consecutive text: each target is the next step's input.
  for (int t = 0; t + 1 < info.steps; ++t) EXPECT_EQ(b.targets[t], b.inputs[t + 1]);
}

TEST(TaskCharLm, NonAsciiTextRoundTripsThroughEncodeAndDecode) {
  const std::string text = "Grüße, Welt! ça va? 世界 🎉\nnaïve café — ÀÉÎ\n";
  TempFile file("utf8.txt", text);
  std::string error;
  auto task = CharLmTask::create(charlm_spec(file.path.string(), 10), &error);
  ASSERT_TRUE(task) << error;
  const auto& vocab = task->vocabulary();
  // Code points, not bytes: "ü" is one entry of two bytes, "🎉" one entry of four.
  EXPECT_NE(std::find(vocab.begin(), vocab.end(), "ü"), vocab.end());
  EXPECT_NE(std::find(vocab.begin(), vocab.end(), "世"), vocab.end());
  EXPECT_NE(std::find(vocab.begin(), vocab.end(), "🎉"), vocab.end());
  for (const auto& ch : vocab) EXPECT_NE(ch, "\xC3");  // no stray lead byte
  EXPECT_EQ(task->decode(task->text()), text);
  std::vector<int> ids;
  ASSERT_TRUE(task->encode("café 世界", ids, &error)) << error;
  EXPECT_EQ(ids.size(), 7u);
  EXPECT_EQ(task->decode(ids), "café 世界");
  EXPECT_FALSE(task->encode("xyz", ids, &error));  // 'x' never occurs
  EXPECT_NE(error.find("not in the vocabulary"), std::string::npos) << error;
  EXPECT_FALSE(task->encode("caf\xC3", ids, &error));  // truncated sequence
  EXPECT_NE(error.find("UTF-8"), std::string::npos) << error;
  // Invisible characters get visible labels.
  const auto& labels = task->info().input_labels;
  EXPECT_NE(std::find(labels.begin(), labels.end(), "\\n"), labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "space"), labels.end());
}

TEST(TaskCharLm, WindowsLineEndsAndByteOrderMark) {
  TempFile file("crlf.txt",
                "\xEF\xBB\xBF"
                "ab\r\ncd\r\n");
  std::string error;
  auto task = CharLmTask::create(charlm_spec(file.path.string(), 3), &error);
  ASSERT_TRUE(task) << error;
  EXPECT_EQ(task->decode(task->text()), "ab\ncd\n");
  EXPECT_EQ(task->vocabulary().size(), 5u);
  // Every window start 0..N-T-1 is drawn, and no window runs off the end.
  Rng rng(3);
  const Batch b = task->batch(rng, 200);
  std::set<int> first_inputs;
  for (int c = 0; c < 200; ++c) first_inputs.insert(hot(b.inputs[0], c));
  EXPECT_EQ(first_inputs.size(), 3u);  // starts 0, 1, 2: 'a', 'b', '\n'
}

TEST(TaskSentiment, LabelFollowsNegationAndWordOrder) {
  auto task = make_ok(default_task_spec(TaskKind::Sentiment));
  ASSERT_TRUE(task);
  const TaskInfo& info = task->info();
  EXPECT_NEAR(info.baseline, std::log(2.0), 1e-12);
  const auto& words = info.input_labels;
  Rng rng(12);
  const int B = 4000;
  const Batch b = task->batch(rng, B);
  std::map<std::multiset<std::string>, std::set<int>> labels_of_bag;
  int positives = 0, two_clauses = 0, negated = 0;
  for (int c = 0; c < B; ++c) {
    std::vector<std::string> s;
    for (int t = 0; t < info.steps; ++t) s.push_back(words[hot(b.inputs[t], c)]);
    // Pads only after the words; 4..10 words.
    size_t n = 0;
    while (n < s.size() && s[n] != "<pad>") ++n;
    ASSERT_GE(n, 4u);
    ASSERT_LE(n, 10u);
    for (size_t t = n; t < s.size(); ++t) ASSERT_EQ(s[t], "<pad>");
    // A reference reading, written independently of the generator: the verdict of the last
    // predicate, flipped by a "not" in it.
    ASSERT_EQ(s[0], "the");
    bool verdict = false, in_not = false;
    std::vector<bool> verdicts;
    for (size_t t = 3; t < n; ++t) {
      if (s[t] == "not") in_not = true, ++negated;
      if (s[t] == "good" || s[t] == "great") verdict = !in_not;
      if (s[t] == "bad" || s[t] == "awful") verdict = in_not;
      if (s[t] == "good" || s[t] == "great" || s[t] == "bad" || s[t] == "awful") {
        verdicts.push_back(verdict);
        in_not = false;
      }
    }
    ASSERT_FALSE(verdicts.empty());
    if (verdicts.size() == 2) {
      ++two_clauses;
      EXPECT_EQ(verdicts[0], verdicts[1]);  // the clauses agree
    }
    const int label = hot(b.targets[0], c);
    EXPECT_EQ(label, verdicts.back() ? 1 : 0);
    positives += label;
    labels_of_bag[std::multiset<std::string>(s.begin(), s.begin() + n)].insert(label);
  }
  EXPECT_GT(two_clauses, B / 3);
  EXPECT_GT(negated, B / 3);
  // Word order matters: some bags of words occur with both labels.
  int ambiguous = 0;
  for (const auto& [bag, labels] : labels_of_bag) ambiguous += labels.size() == 2;
  EXPECT_GT(ambiguous, 10);
  // Balanced labels: the best memoryless answer is a uniform guess, cross-entropy ln 2.
  const double p = static_cast<double>(positives) / B;
  EXPECT_NEAR(-(p * std::log(p) + (1 - p) * std::log(1 - p)), info.baseline, 0.002);
  EXPECT_NEAR(mean_cross_entropy(b, {Mat::Zero(2, B)}), info.baseline, 1e-12);
}

TEST(TaskAccuracy, CountsArgmaxMatchesAndChecksShapes) {
  TaskSpec spec = default_task_spec(TaskKind::Recall);
  spec.length = 3;
  auto task = make_ok(spec);
  ASSERT_TRUE(task);
  Rng rng(1);
  const Batch b = task->batch(rng, 4);
  Mat y = b.targets[0];  // (K, 4) perfect
  EXPECT_DOUBLE_EQ(task->accuracy(b, {y}), 1.0);
  y.col(1) = Eigen::VectorXd::Zero(y.rows());
  y(hot(b.targets[0], 1) == 0 ? 1 : 0, 1) = 1.0;  // one wrong
  EXPECT_DOUBLE_EQ(task->accuracy(b, {y}), 0.75);
  Batch masked = b;
  masked.mask = Mat::Ones(1, 4);
  masked.mask(0, 1) = 0.0;  // the wrong one is not scored
  EXPECT_DOUBLE_EQ(task->accuracy(masked, {y}), 1.0);
  EXPECT_THROW(task->accuracy(b, {y, y}), std::invalid_argument);
  EXPECT_THROW(task->accuracy(b, {Mat::Zero(2, 4)}), std::invalid_argument);
  auto sine = make_ok(default_task_spec(TaskKind::Sine));
  const Batch s = sine->batch(rng, 2);
  EXPECT_TRUE(std::isnan(sine->accuracy(s, s.targets)));
}

TEST(TaskLimits, BadSpecsAreRefusedWithTheParameterAndRange) {
  struct Bad {
    TaskSpec spec;
    std::vector<std::string> expect;  // substrings of the message
  };
  std::vector<Bad> bad;
  for (TaskKind kind : kAllKinds) {
    for (int length : {0, -1, 10000000}) {
      TaskSpec s = default_task_spec(kind);
      s.length = length;
      bad.push_back({s,
                     {std::string(to_string(kind)), "length = " + std::to_string(length), "allowed",
                      "..2000"}});
    }
  }
  TaskSpec s = default_task_spec(TaskKind::Copy);
  s.copy.symbols = 1;
  bad.push_back({s, {"copy.symbols = 1", "allowed 2..32"}});
  s = default_task_spec(TaskKind::Copy);
  s.copy.count = 0;
  bad.push_back({s, {"copy.count = 0", "allowed 1..100"}});
  s = default_task_spec(TaskKind::Recall);
  s.recall.classes = 33;
  bad.push_back({s, {"recall.classes = 33", "allowed 2..32"}});
  s = default_task_spec(TaskKind::Recall);
  s.recall.distractors = 0;
  bad.push_back({s, {"recall.distractors = 0", "allowed 1..32"}});
  s = default_task_spec(TaskKind::Sentiment);
  s.length = 9;
  bad.push_back({s, {"length = 9", "allowed 10..2000"}});
  s = default_task_spec(TaskKind::Adding);
  s.length = 1;
  bad.push_back({s, {"length = 1", "allowed 2..2000"}});
  s = default_task_spec(TaskKind::Sine);
  s.sine.frequencies = {0.1, 0.6};
  bad.push_back({s, {"sine.frequencies", "0.6", "(0, 0.5]"}});
  s.sine.frequencies = {std::numeric_limits<double>::quiet_NaN()};
  bad.push_back({s, {"sine.frequencies", "nan", "(0, 0.5]"}});
  s.sine.frequencies = {};
  bad.push_back({s, {"sine.frequencies", "allowed 1..8"}});
  s = default_task_spec(TaskKind::Sine);
  s.sine.noise = -0.5;
  bad.push_back({s, {"sine.noise = -0.5", "allowed 0..1"}});
  bad.push_back({charlm_spec("hello", 5), {"length = 5", "allowed 1..4", "5 characters"}});
  bad.push_back({charlm_spec("sonnets", 2001), {"length = 2001", "allowed 1..2000"}});

  const std::string missing = (std::filesystem::temp_directory_path() / "unrolled_no_such.txt");
  bad.push_back({charlm_spec(missing, 10), {"charlm.text", missing, "no such file", "sonnets"}});
  bad.push_back({charlm_spec("", 10), {"charlm.text", "no such file"}});
  TempFile empty("empty.txt");
  bad.push_back({charlm_spec(empty.path.string(), 1), {"charlm.text", "empty", "allowed 1.."}});
  TempFile one("one.txt", "x");
  bad.push_back({charlm_spec(one.path.string(), 1), {"1 character", "at least 2"}});
  TempFile invalid("invalid.txt", "good \xE2\x82 bad");  // truncated 3-byte sequence
  bad.push_back({charlm_spec(invalid.path.string(), 2), {"not valid UTF-8", "byte 5"}});
  TempFile surrogate("surrogate.txt", "ab\xED\xA0\x80");  // UTF-16 surrogate, not UTF-8
  bad.push_back({charlm_spec(surrogate.path.string(), 1), {"not valid UTF-8", "byte 2"}});
  TempFile overlong("overlong.txt", "ab\xC0\xAF");  // overlong '/'
  bad.push_back({charlm_spec(overlong.path.string(), 1), {"not valid UTF-8", "byte 2"}});
  TempFile big("big.txt");
  std::filesystem::resize_file(big.path, kMaxTextBytes + 1);  // sparse: costs no disk
  bad.push_back({charlm_spec(big.path.string(), 10), {"16777217 bytes", "allowed 1..16777216"}});
  std::string many;  // 1100 distinct code points from U+0100 on, each 2 or 3 bytes
  for (char32_t cp = 0x100; cp < 0x100 + 1100; ++cp) {
    if (cp < 0x800) {
      many += static_cast<char>(0xC0 | (cp >> 6));
      many += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      many += static_cast<char>(0xE0 | (cp >> 12));
      many += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      many += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  TempFile wide("wide.txt", many);
  bad.push_back({charlm_spec(wide.path.string(), 10), {"more than 1024 distinct", "allowed"}});
  const std::string dir = std::filesystem::temp_directory_path().string();
  bad.push_back({charlm_spec(dir, 10), {"not a regular file"}});

  for (const Bad& b : bad) {
    std::string error;
    auto task = make_task(b.spec, &error);
    EXPECT_FALSE(task) << "accepted a bad " << to_string(b.spec.kind) << " spec";
    for (const auto& want : b.expect)
      EXPECT_NE(error.find(want), std::string::npos) << "'" << want << "' not in: " << error;
    EXPECT_FALSE(make_task(b.spec, nullptr));  // a null error pointer is fine
  }
  // The boundaries themselves are accepted.
  TaskSpec edge = default_task_spec(TaskKind::Adding);
  edge.length = kMaxTaskLength;
  EXPECT_TRUE(make_ok(edge));
  EXPECT_TRUE(make_ok(charlm_spec("hello", 1)));
}

TEST(TaskLimits, BatchesStayWithinTheMemoryBudget) {
  // The widest accepted character model: V = 1024 characters, T = 2000.
  std::string text;
  for (char32_t cp = 0x100; cp < 0x100 + 1024; ++cp) {
    text += static_cast<char>(0xC0 | (cp >> 6));
    text += static_cast<char>(0x80 | (cp & 0x3F));
  }
  std::string repeated;
  for (int k = 0; k < 3; ++k) repeated += text;
  TempFile wide("wide1024.txt", repeated);
  std::string error;
  auto task = make_task(charlm_spec(wide.path.string(), 2000), &error);
  ASSERT_TRUE(task) << error;
  EXPECT_EQ(task->info().input_size, kMaxVocabulary);
  const int most = task->max_batch_size();
  EXPECT_GE(most, 1);
  EXPECT_LE(static_cast<std::int64_t>(most) * 2000 * (1024 + 1024), kMaxBatchValues);
  Rng rng(1);
  EXPECT_THROW(task->batch(rng, most + 1), std::invalid_argument);
  EXPECT_THROW(task->batch(rng, 0), std::invalid_argument);
  const Batch b = task->batch(rng, 1);
  EXPECT_EQ(b.steps(), 2000);
  // Small tasks are capped by kMaxBatchSize instead.
  auto adding = make_ok(default_task_spec(TaskKind::Adding));
  EXPECT_EQ(adding->max_batch_size(), kMaxBatchSize);
  EXPECT_THROW(adding->batch(rng, kMaxBatchSize + 1), std::invalid_argument);
}

}  // namespace unrolled
