// Legend: P parameter values of a model, N its tensors, F history fields, C history capacity,
//         R profile rows, K profile width. The layout is in session_file.hpp and
//         docs/session-format.md.
#include "core/session_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/json_fields.hpp"
#include "core/trainer.hpp"

namespace unrolled {

static_assert(std::endian::native == std::endian::little,
              "session blobs are little-endian and copied as they are");

uint64_t fnv1a64(const void* data, size_t n, uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

namespace {

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// [SECTION] Writing

// The blob area and its manifest, built together.
class BlobWriter {
 public:
  void f64(const std::string& name, const double* v, size_t n) { add(name, "f64", v, n, 8); }
  void u32(const std::string& name, const uint32_t* v, size_t n) { add(name, "u32", v, n, 4); }
  void params(const std::string& name, const Params& p) {
    const size_t start = data_.size();
    for (const auto& t : p.tensors())
      data_.append(reinterpret_cast<const char*>(t.data), sizeof(double) * t.size());
    finish(name, "f64", start, (data_.size() - start) / 8);
  }
  Json manifest() const { return manifest_; }
  const std::string& data() const { return data_; }

 private:
  void add(const std::string& name, const char* type, const void* v, size_t n, size_t size) {
    const size_t start = data_.size();
    data_.append(static_cast<const char*>(v), n * size);
    finish(name, type, start, n);
  }
  void finish(const std::string& name, const char* type, size_t start, size_t count) {
    const uint64_t h = fnv1a64(data_.data() + start, data_.size() - start);
    manifest_.push_back({{"name", name}, {"type", type}, {"count", count}, {"fnv1a64", hex64(h)}});
  }
  std::string data_;
  Json manifest_ = Json::array();
};

Json training_json(const ExperimentConfig& experiment, const TrainingConfig& training) {
  ExperimentConfig c = experiment;
  c.training = training;
  return experiment_to_json(c)["training"];
}

Json state_json(const TrainerState& s, const std::string& prefix, const ExperimentConfig& config,
                BlobWriter& blobs) {
  Json j = {{"model_index", s.model_index},
            {"iteration", s.iteration},
            {"diverged", s.diverged},
            {"training", training_json(config, s.training)},
            {"optimizer_steps", s.optimizer_steps},
            {"data_rng", {s.data_rng.s[0], s.data_rng.s[1], s.data_rng.s[2], s.data_rng.s[3]}},
            {"data_rng_has_spare", s.data_rng.has_spare},
            {"clip",
             {{"clipped", s.last_clip.clipped},
              {"clamped", s.last_clip.clamped},
              {"tensors", s.last_clip.tensor_norm_before.size()}}}};
  if (s.diverged)
    j["divergence"] = {{"iteration", s.divergence_iteration},
                       {"where", s.divergence_where},
                       {"cause", s.divergence_cause}};
  blobs.params(prefix + ".params", s.params);
  blobs.params(prefix + ".optimizer_state1", s.optimizer_state1);
  blobs.params(prefix + ".optimizer_state2", s.optimizer_state2);
  std::vector<double> scalars = {s.last_loss,
                                 s.last_accuracy,
                                 s.data_rng.spare,
                                 s.last_clip.global_norm_before,
                                 s.last_clip.global_norm_after,
                                 s.last_clip.scale};  // (6 + 2N)
  scalars.insert(scalars.end(), s.last_clip.tensor_norm_before.begin(),
                 s.last_clip.tensor_norm_before.end());
  scalars.insert(scalars.end(), s.last_clip.tensor_norm_after.begin(),
                 s.last_clip.tensor_norm_after.end());
  blobs.f64(prefix + ".scalars", scalars.data(), scalars.size());
  if (s.history) {
    const HistoryState& h = *s.history;
    j["history"] = {{"capacity", h.capacity},
                    {"profile_rows", h.profile_rows},
                    {"max_profile_length", h.max_profile_length},
                    {"appended", h.appended},
                    {"width", h.width},
                    {"prof_width", h.prof_width},
                    {"ring_next", h.ring_next},
                    {"ring_count", h.ring_count},
                    {"over_count", h.over_count},
                    {"prof_cols", h.prof_cols},
                    {"pring_next", h.pring_next},
                    {"pring_count_used", h.pring_count_used},
                    {"pover_used", h.pover_used}};
    const std::string p = prefix + ".history.";
    blobs.f64(p + "ring", h.ring.data(), h.ring.size());
    blobs.f64(p + "over", h.over.data(), h.over.size());
    blobs.f64(p + "pring", h.pring.data(), h.pring.size());
    blobs.f64(p + "pover", h.pover.data(), h.pover.size());
    blobs.u32(p + "pover_n", h.pover_n.data(), h.pover_n.size());
    blobs.f64(p + "pring_iter", h.pring_iter.data(), h.pring_iter.size());
    blobs.f64(p + "pover_first", h.pover_first.data(), h.pover_first.size());
    blobs.f64(p + "pover_last", h.pover_last.data(), h.pover_last.size());
    blobs.f64(p + "pover_count", h.pover_count.data(), h.pover_count.size());
  }
  return j;
}

void put_u32(std::string& out, uint32_t v) {
  out.append(reinterpret_cast<const char*>(&v), 4);
}
void put_u64(std::string& out, uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), 8);
}

// [SECTION] Reading

struct BlobEntry {
  std::string type;
  uint64_t count = 0, offset = 0, fnv = 0;
  bool used = false;
};

// The manifest, checked whole against the file's size before any blob is read; then each blob is
// read straight into its destination, its checksum compared as it goes.
class BlobReader {
 public:
  BlobReader(std::istream& in, uint64_t data_start, std::string name)
      : in_(in), start_(data_start), name_(std::move(name)) {}

  bool load_manifest(const Json& m, uint64_t file_size, std::string* error) {
    if (!m.is_array()) return fail(error, "header: blobs: expected an array");
    uint64_t offset = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      const std::string where = "header: blobs[" + std::to_string(i) + "]";
      const Json& b = m[i];
      if (!b.is_object() || !b.contains("name") || !b["name"].is_string() || !b.contains("type") ||
          !b["type"].is_string() || !b.contains("count") || !b["count"].is_number_unsigned() ||
          !b.contains("fnv1a64") || !b["fnv1a64"].is_string() || b.size() != 4)
        return fail(error, where + ": expected {\"name\", \"type\", \"count\", \"fnv1a64\"}");
      BlobEntry e;
      e.type = b["type"].get<std::string>();
      if (e.type != "f64" && e.type != "u32")
        return fail(error, where + ": type \"" + e.type + "\" is not allowed; allowed: f64, u32");
      e.count = b["count"].get<uint64_t>();
      const uint64_t bytes_each = e.type == "f64" ? 8 : 4;
      if (e.count > file_size / bytes_each)
        return fail(error, where + ": count " + std::to_string(e.count) +
                               " is larger than the file could hold");
      const std::string h = b["fnv1a64"].get<std::string>();
      char* end = nullptr;
      e.fnv = std::strtoull(h.c_str(), &end, 16);
      if (h.size() != 16 || *end != '\0')
        return fail(error, where + ": fnv1a64 \"" + h + "\": expected 16 hex digits");
      e.offset = offset;
      offset += e.count * bytes_each;
      const std::string name = b["name"].get<std::string>();
      if (!blobs_.emplace(name, e).second)
        return fail(error, where + ": the name \"" + name + "\" is repeated");
    }
    const uint64_t have = file_size - start_;
    if (offset > have)
      return fail(error, "truncated: the blobs need " + std::to_string(offset) + " bytes after " +
                             "the header, the file has " + std::to_string(have));
    if (offset < have)
      return fail(error, std::to_string(have - offset) + " bytes after the last blob; expected " +
                             "none (a damaged file?)");
    return true;
  }

  // Reads blob `name` of `count` values of `type` into the destinations, in order.
  // Whether the manifest has blob `name` of `count` values of `type` (before allocating for it).
  bool check(const std::string& name, const char* type, uint64_t count, std::string* error) {
    const auto it = blobs_.find(name);
    if (it == blobs_.end()) return fail(error, "blob \"" + name + "\" is missing");
    const BlobEntry& e = it->second;
    if (e.type != type)
      return fail(error, "blob \"" + name + "\" has type " + e.type + "; expected " + type);
    if (e.count != count)
      return fail(error, "blob \"" + name + "\" holds " + std::to_string(e.count) +
                             " values; the experiment implies " + std::to_string(count));
    return true;
  }
  bool read(const std::string& name, const char* type, uint64_t count,
            const std::vector<std::pair<void*, size_t>>& dest, std::string* error) {
    if (!check(name, type, count, error)) return false;
    BlobEntry& e = blobs_.find(name)->second;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(start_ + e.offset));
    uint64_t h = kFnvOffset;
    for (const auto& [p, bytes] : dest) {
      if (!in_.read(static_cast<char*>(p), static_cast<std::streamsize>(bytes)))
        return fail(error, "blob \"" + name + "\" could not be read (truncated?)");
      h = fnv1a64(p, bytes, h);
    }
    if (h != e.fnv)
      return fail(error, "blob \"" + name + "\": checksum mismatch (fnv1a64 " + hex64(h) +
                             ", the manifest says " + hex64(e.fnv) + "): the file is damaged");
    e.used = true;
    return true;
  }
  bool f64(const std::string& name, std::vector<double>& out, uint64_t count, std::string* error) {
    if (!check(name, "f64", count, error)) return false;
    out.resize(count);
    return read(name, "f64", count, {{out.data(), count * 8}}, error);
  }
  // Into a Params already shaped by the experiment.
  bool params(const std::string& name, Params& p, std::string* error) {
    std::vector<std::pair<void*, size_t>> dest;
    for (auto& t : p.tensors()) dest.push_back({t.data, sizeof(double) * t.size()});
    return read(name, "f64", static_cast<uint64_t>(p.num_values()), dest, error);
  }
  bool all_used(std::string* error) const {
    for (const auto& [name, e] : blobs_)
      if (!e.used) return fail(error, "blob \"" + name + "\" belongs to nothing in the header");
    return true;
  }

 private:
  bool fail(std::string* error, const std::string& m) const {
    if (error) *error = name_ + ": " + m;
    return false;
  }
  std::istream& in_;
  uint64_t start_;
  std::string name_;
  std::map<std::string, BlobEntry> blobs_;
};

bool get_u64(const Json& j, const char* key, uint64_t& out) {
  if (!j.contains(key) || !j[key].is_number_unsigned()) return false;
  out = j[key].get<uint64_t>();
  return true;
}

// One state from its JSON and blobs. `trainer` is configured for its model: its network gives
// the shapes (checked against the blobs before reading), and restore() checks the rest.
bool read_state(const Json& j, const std::string& where, const std::string& prefix,
                bool want_history, const ExperimentConfig& config, Trainer& trainer,
                BlobReader& blobs, std::map<std::string, TrainingConfig>& training_cache,
                TrainerState& s, std::string* error) {
  Fields f(j, where, error);
  int64_t model_index = 0, iteration = 0, steps = 0;
  f.integer("model_index", int64_t{0}, int64_t{kMaxCompareModels - 1}, model_index);
  f.integer("iteration", int64_t{0}, int64_t{1} << 62, iteration);
  f.integer("optimizer_steps", int64_t{0}, int64_t{1} << 62, steps);
  if (!f.ok()) return false;
  s.model_index = static_cast<int>(model_index);
  s.iteration = iteration;
  s.optimizer_steps = steps;
  const auto bool_field = [&](const char* key, bool& out) {
    if (!f.take(key)) return f.fail(f.where(key), "missing"), false;
    if (!f[key].is_boolean()) return f.fail(f.where(key), f[key].dump() + ": expected true or false"), false;
    out = f[key].get<bool>();
    return true;
  };
  if (!bool_field("diverged", s.diverged) || !bool_field("data_rng_has_spare", s.data_rng.has_spare))
    return false;
  if (f.take("training")) {
    // Read as the experiment's own training object (every check of docs/experiments.md), once
    // per distinct text: checkpoints mostly share their settings.
    const std::string key = f["training"].dump();
    auto known = training_cache.find(key);
    if (known == training_cache.end()) {
      Json e = experiment_to_json(config);
      e["training"] = f["training"];
      ExperimentConfig c;
      std::string why;
      if (!experiment_from_json(e, c, &why)) return f.fail(where, why), false;
      known = training_cache.emplace(key, c.training).first;
    }
    s.training = known->second;
  } else {
    return f.fail(f.where("training"), "missing"), false;
  }
  if (!f.take("data_rng") || !f["data_rng"].is_array() || f["data_rng"].size() != 4)
    return f.fail(f.where("data_rng"), "expected 4 unsigned 64-bit integers"), false;
  for (int k = 0; k < 4; ++k) {
    if (!f["data_rng"][k].is_number_unsigned())
      return f.fail(f.where("data_rng"), "expected 4 unsigned 64-bit integers"), false;
    s.data_rng.s[k] = f["data_rng"][k].get<uint64_t>();
  }
  size_t tensors = 0;
  if (!f.take("clip")) return f.fail(f.where("clip"), "missing"), false;
  {
    const Json& c = f["clip"];
    uint64_t n = 0;
    if (!c.is_object() || c.size() != 3 || !c.contains("clipped") || !c["clipped"].is_boolean() ||
        !c.contains("clamped") || !c["clamped"].is_number_integer() || !get_u64(c, "tensors", n))
      return f.fail(f.where("clip"), "expected {\"clipped\": bool, \"clamped\": integer, "
                                     "\"tensors\": count}"), false;
    const size_t N = trainer.network().params().tensors().size();
    if (n != 0 && n != N)
      return f.fail(f.where("clip.tensors"), std::to_string(n) + ": expected 0 or " + std::to_string(N)), false;
    tensors = n;
    s.last_clip.clipped = c["clipped"].get<bool>();
    s.last_clip.clamped = c["clamped"].get<int64_t>();
  }
  if (s.diverged) {
    if (!f.take("divergence")) return f.fail(f.where("divergence"), "missing"), false;
    Fields d(f["divergence"], f.where("divergence"), error);
    d.integer("iteration", int64_t{-1}, int64_t{1} << 62, s.divergence_iteration);
    d.text("where", 1000, s.divergence_where);
    d.text("cause", 4000, s.divergence_cause);
    d.finish();
    if (!d.ok()) return false;
  }
  HistoryState h;
  const bool has_history = f.take("history");
  if (has_history != want_history)
    return f.fail(f.where("history"), want_history ? "missing" : "not allowed in a checkpoint"), false;
  if (has_history) {
    Fields hf(f["history"], f.where("history"), error);
    const History& live = trainer.history();
    const int C = live.capacity(), R = live.profile_rows(), D = live.max_profile_length();
    hf.integer("capacity", C, C, h.capacity);
    hf.integer("profile_rows", R, R, h.profile_rows);
    hf.integer("max_profile_length", D, D, h.max_profile_length);
    hf.integer("appended", int64_t{0}, int64_t{1} << 62, h.appended);
    hf.integer("width", int64_t{1}, int64_t{1} << 62, h.width);
    hf.integer("prof_width", int64_t{1}, int64_t{1} << 62, h.prof_width);
    hf.integer("ring_next", 0, C - 1, h.ring_next);
    hf.integer("ring_count", 0, C, h.ring_count);
    hf.integer("over_count", 0, C, h.over_count);
    hf.integer("prof_cols", 0, D, h.prof_cols);
    hf.integer("pring_next", 0, R - 1, h.pring_next);
    hf.integer("pring_count_used", 0, R, h.pring_count_used);
    hf.integer("pover_used", 0, R, h.pover_used);
    hf.finish();
    if (!hf.ok()) return false;
  }
  f.finish();
  if (!f.ok()) return false;

  // Blobs: shapes from the experiment's model.
  const Params& like = trainer.network().params();
  s.params = s.optimizer_state1 = s.optimizer_state2 = like;
  if (!blobs.params(prefix + ".params", s.params, error) ||
      !blobs.params(prefix + ".optimizer_state1", s.optimizer_state1, error) ||
      !blobs.params(prefix + ".optimizer_state2", s.optimizer_state2, error))
    return false;
  std::vector<double> scalars;
  if (!blobs.f64(prefix + ".scalars", scalars, 6 + 2 * tensors, error)) return false;
  s.last_loss = scalars[0];
  s.last_accuracy = scalars[1];
  s.data_rng.spare = scalars[2];
  s.last_clip.global_norm_before = scalars[3];
  s.last_clip.global_norm_after = scalars[4];
  s.last_clip.scale = scalars[5];
  s.last_clip.tensor_norm_before.assign(scalars.begin() + 6, scalars.begin() + 6 + tensors);
  s.last_clip.tensor_norm_after.assign(scalars.begin() + 6 + tensors, scalars.end());
  if (has_history) {
    const std::string p = prefix + ".history.";
    const uint64_t F = kNumFields, K = h.prof_cols;
    const uint64_t rings = h.pring_count_used, overs = h.pover_used;
    if (!blobs.check(p + "pover_n", "u32", overs * K, error)) return false;
    h.pover_n.resize(overs * K);
    if (!blobs.f64(p + "ring", h.ring, F * h.ring_count, error) ||
        !blobs.f64(p + "over", h.over, F * h.over_count, error) ||
        !blobs.f64(p + "pring", h.pring, rings * K, error) ||
        !blobs.f64(p + "pover", h.pover, overs * K, error) ||
        !blobs.read(p + "pover_n", "u32", overs * K, {{h.pover_n.data(), overs * K * 4}}, error) ||
        !blobs.f64(p + "pring_iter", h.pring_iter, rings, error) ||
        !blobs.f64(p + "pover_first", h.pover_first, overs, error) ||
        !blobs.f64(p + "pover_last", h.pover_last, overs, error) ||
        !blobs.f64(p + "pover_count", h.pover_count, overs, error))
      return false;
    s.history = std::move(h);
  }
  return true;
}

bool fail_with(std::string* error, const std::string& m) {
  if (error) *error = m;
  return false;
}

}  // namespace

std::string session_to_bytes(const Session& s) {
  BlobWriter blobs;
  Json models = Json::array();
  for (size_t k = 0; k < s.models.size(); ++k) {
    const std::string prefix = "models." + std::to_string(k);
    Json m = state_json(s.models[k], prefix, s.config, blobs);
    Json cps = Json::array();
    if (k < s.checkpoints.size())
      for (size_t i = 0; i < s.checkpoints[k].size(); ++i) {
        const Checkpoint& c = s.checkpoints[k][i];
        TrainerState st = c.state;
        st.history.reset();
        Json cj = state_json(st, prefix + ".checkpoints." + std::to_string(i), s.config, blobs);
        cj["pinned"] = c.pinned;
        cps.push_back(std::move(cj));
      }
    models.push_back({{"state", std::move(m)}, {"checkpoints", std::move(cps)}});
  }
  const Json header = {{"format", "unrolled-session"},
                       {"version", kSessionVersion},
                       {"experiment", experiment_to_json(s.config)},
                       {"view", s.view.is_object() ? s.view : Json::object()},
                       {"models", std::move(models)},
                       {"blobs", blobs.manifest()}};
  const std::string text = header.dump();
  std::string out(kSessionMagic, 8);
  put_u32(out, kSessionVersion);
  put_u32(out, 0);
  put_u64(out, text.size());
  put_u64(out, fnv1a64(text.data(), text.size()));
  out += text;
  out += blobs.data();
  return out;
}

bool save_session(const std::string& path, const Session& s, std::string* error) {
  const std::string bytes = session_to_bytes(s);
  namespace fs = std::filesystem;
  std::error_code ec;
  // Through a symlink: the link stays and its target is replaced.
  std::string target = path;
  if (fs::is_symlink(path, ec)) {
    const fs::path resolved = fs::weakly_canonical(path, ec);
    if (!ec) target = resolved.string();
  }
  if (fs::is_directory(target, ec))
    return fail_with(error, path + ": is a directory, expected a file name");
  const std::string tmp = target + ".tmp-unrolled";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return fail_with(error, path + ": cannot be written (is the folder there and writable?)");
  const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                     std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) ::fchmod(fileno(f), st.st_mode & 07777);
  if (std::fclose(f) != 0 || !wrote) {
    std::remove(tmp.c_str());
    return fail_with(error, path + ": writing failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return fail_with(error, path + ": cannot be replaced: " + why);
  }
  return true;
}

bool read_session(std::istream& in, uint64_t size, const std::string& name, Session& out,
                  std::string* error) {
  const auto fail = [&](const std::string& m) { return fail_with(error, name + ": " + m); };
  if (size < kSessionPrefixBytes) {
    char probe[8] = {};
    in.read(probe, std::min<uint64_t>(size, 8));
    if (size >= 8 && std::memcmp(probe, kSessionMagic, 8) != 0)
      return fail("not an Unrolled session (the file does not start with \"UNRLSESS\")");
    return fail("truncated: " + std::to_string(size) + " bytes, shorter than the " +
                std::to_string(kSessionPrefixBytes) + "-byte prefix");
  }
  char prefix[kSessionPrefixBytes];
  if (!in.read(prefix, kSessionPrefixBytes)) return fail("could not be read");
  if (std::memcmp(prefix, kSessionMagic, 8) != 0)
    return fail("not an Unrolled session (the file does not start with \"UNRLSESS\")");
  uint32_t version = 0, flags = 0;
  uint64_t header_bytes = 0, header_fnv = 0;
  std::memcpy(&version, prefix + 8, 4);
  std::memcpy(&flags, prefix + 12, 4);
  std::memcpy(&header_bytes, prefix + 16, 8);
  std::memcpy(&header_fnv, prefix + 24, 8);
  if (version != kSessionVersion)
    return fail("version " + std::to_string(version) + " is not supported; this Unrolled reads " +
                "version " + std::to_string(kSessionVersion));
  if (flags != 0) return fail("flags " + std::to_string(flags) + ": expected 0");
  if (header_bytes > kMaxSessionHeaderBytes)
    return fail("header of " + std::to_string(header_bytes) + " bytes: at most " +
                std::to_string(kMaxSessionHeaderBytes) + " allowed");
  if (header_bytes > size - kSessionPrefixBytes)
    return fail("truncated: the header needs " + std::to_string(header_bytes) + " bytes, the " +
                "file has " + std::to_string(size - kSessionPrefixBytes) + " after the prefix");
  std::string text(header_bytes, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(header_bytes)))
    return fail("could not be read");
  if (fnv1a64(text.data(), text.size()) != header_fnv)
    return fail("header checksum mismatch: the file is damaged");
  Json h;
  if (!parse_json_text(text, name + ": header", h, error)) return false;
  if (!h.is_object()) return fail("header: expected a JSON object");
  for (const char* key : {"format", "version", "experiment", "view", "models", "blobs"})
    if (!h.contains(key)) return fail(std::string("header: \"") + key + "\" is missing");
  if (h.size() != 6) return fail("header: unknown keys; allowed: format, version, experiment, view, models, blobs");
  if (h["format"] != "unrolled-session")
    return fail("header: format " + h["format"].dump() + ": expected \"unrolled-session\"");
  if (h["version"] != kSessionVersion)
    return fail("header: version " + h["version"].dump() + ": expected " + std::to_string(kSessionVersion));
  if (!h["view"].is_object()) return fail("header: view: expected an object");

  Session s;
  std::string why;
  if (!experiment_from_json(h["experiment"], s.config, &why)) return fail("experiment: " + why);
  s.view = h["view"];
  BlobReader blobs(in, kSessionPrefixBytes + header_bytes, name);
  if (!blobs.load_manifest(h["blobs"], size, error)) return false;

  std::map<std::string, TrainingConfig> training_cache;
  const Json& models = h["models"];
  const int n_models = static_cast<int>(s.config.all_models().size());
  if (!models.is_array() || models.empty() || static_cast<int>(models.size()) > n_models)
    return fail("header: models: expected an array of 1 to " + std::to_string(n_models) +
                " (the experiment's models)");
  std::vector<bool> seen(n_models, false);
  for (size_t k = 0; k < models.size(); ++k) {
    const std::string where = "models[" + std::to_string(k) + "]";
    const std::string prefix = "models." + std::to_string(k);
    const Json& m = models[k];
    if (!m.is_object() || m.size() != 2 || !m.contains("state") || !m.contains("checkpoints") ||
        !m["checkpoints"].is_array() || !m["state"].is_object())
      return fail(where + ": expected {\"state\": {...}, \"checkpoints\": [...]}");
    // The trainer for this model: the shapes, the settings and the final check come from it.
    const Json& idx = m["state"].contains("model_index") ? m["state"]["model_index"] : Json();
    if (!idx.is_number_unsigned() || idx.get<uint64_t>() >= static_cast<uint64_t>(n_models))
      return fail(where + ".state.model_index: " + idx.dump() + ": expected an integer in [0, " +
                  std::to_string(n_models - 1) + "]");
    const int mi = idx.get<int>();
    if (seen[mi]) return fail(where + ".state.model_index: model " + std::to_string(mi) + " appears twice");
    seen[mi] = true;
    Trainer trainer;
    if (!trainer.configure(s.config, mi, &why)) return fail(where + ": " + why);
    TrainerState st;
    std::string e;
    if (!read_state(m["state"], where + ".state", prefix, true, s.config, trainer, blobs,
                    training_cache, st, &e))
      return fail_with(error, e.rfind(name, 0) == 0 ? e : name + ": " + e);
    if (!trainer.restore(st, &why)) return fail(where + ".state: " + why);
    const Json& cps = m["checkpoints"];
    const CheckpointStore budget(CheckpointStore::checkpoint_bytes_for(trainer),
                                 kDefaultCheckpointBudget / n_models);
    if (cps.size() > budget.capacity())
      return fail(where + ".checkpoints: " + std::to_string(cps.size()) + " checkpoints; the " +
                  "budget holds at most " + std::to_string(budget.capacity()) + " of this model");
    std::vector<Checkpoint> list;
    for (size_t i = 0; i < cps.size(); ++i) {
      const std::string cw = where + ".checkpoints[" + std::to_string(i) + "]";
      if (!cps[i].is_object() || !cps[i].contains("pinned") || !cps[i]["pinned"].is_boolean())
        return fail(cw + ".pinned: expected true or false");
      Json body = cps[i];
      Checkpoint c;
      c.pinned = body["pinned"].get<bool>();
      body.erase("pinned");
      if (!read_state(body, cw, prefix + ".checkpoints." + std::to_string(i), false, s.config,
                      trainer, blobs, training_cache, c.state, &e))
        return fail_with(error, e.rfind(name, 0) == 0 ? e : name + ": " + e);
      if (c.state.model_index != mi) return fail(cw + ".model_index: expected " + std::to_string(mi));
      if (!list.empty() && c.state.iteration <= list.back().state.iteration)
        return fail(cw + ".iteration: " + std::to_string(c.state.iteration) +
                    ": checkpoints must be in increasing order of iteration");
      if (c.state.iteration > st.iteration)
        return fail(cw + ".iteration: " + std::to_string(c.state.iteration) + ": after the " +
                    "model's own iteration " + std::to_string(st.iteration));
      if (!trainer.check(c.state, &why)) return fail(cw + ": " + why);
      list.push_back(std::move(c));
    }
    s.models.push_back(std::move(st));
    s.checkpoints.push_back(std::move(list));
  }
  if (!blobs.all_used(error)) return false;
  out = std::move(s);
  return true;
}

bool session_from_bytes(const std::string& bytes, const std::string& name, Session& out,
                        std::string* error) {
  std::istringstream in(bytes);
  return read_session(in, bytes.size(), name, out, error);
}

bool load_session(const std::string& path, Session& out, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return fail_with(error, path + ": is a directory, expected a session file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail_with(error, path + ": cannot be opened (does it exist and is it readable?)");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0);
  if (size < 0) return fail_with(error, path + ": cannot be read");
  return read_session(in, static_cast<uint64_t>(size), path, out, error);
}

}  // namespace unrolled
