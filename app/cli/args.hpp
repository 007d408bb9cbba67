// The one argument parser, for the GUI's flags and the headless subcommands alike: every option
// is declared with its allowed range, and anything else is refused with one message naming it.
//
//   ArgParser ap("train", args);              // messages start "unrolled train: "
//   ap.integer("--iterations", n, 1, 1e9);
//   ap.real("--scale", scale, 0.5, 4, "S");
//   ap.custom("--size", "WxH", [&](const std::string& v, std::string* e) { ... });
//   ap.flag("--paused", paused);
//   ap.positionals(rest);                      // words that are not options (else refused)
//   if (!ap.parse()) return 2;
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace unrolled {

class ArgParser {
 public:
  using Setter = std::function<bool(const std::string&, std::string*)>;
  ArgParser(std::string command, std::vector<std::string> args)
      : command_(std::move(command)), args_(std::move(args)) {}

  void string(const std::string& flag, std::string& out, const std::string& meta) {
    options_.push_back({flag, meta, [&out](const std::string& v, std::string*) {
                          out = v;
                          return true;
                        }});
  }
  void integer(const std::string& flag, int& out, long long lo, long long hi) {
    options_.push_back({flag, "N", [&out, flag, lo, hi](const std::string& v, std::string* e) {
                          try {
                            size_t used = 0;
                            const long long x = std::stoll(v, &used);
                            if (used == v.size() && x >= lo && x <= hi) {
                              out = static_cast<int>(x);
                              return true;
                            }
                          } catch (...) {
                          }
                          *e = flag + " '" + v + "': expected an integer in [" +
                               std::to_string(lo) + ", " + std::to_string(hi) + "]";
                          return false;
                        }});
  }
  void flag(const std::string& name, bool& out) { flags_.push_back({name, &out}); }
  void real(const std::string& flag, double& out, double lo, double hi, const std::string& meta) {
    options_.push_back({flag, meta, [&out, flag, lo, hi, meta](const std::string& v, std::string* e) {
                          char* end = nullptr;
                          const double x = std::strtod(v.c_str(), &end);
                          if (!v.empty() && *end == '\0' && x >= lo && x <= hi) {
                            out = x;
                            return true;
                          }
                          *e = flag + " '" + v + "': expected " + meta + ", a number in [" +
                               trim(lo) + ", " + trim(hi) + "]";
                          return false;
                        }});
  }
  // Any check of one value: set returns false with *error naming what is allowed.
  void custom(const std::string& flag, const std::string& meta,
              std::function<bool(const std::string&, std::string*)> set) {
    options_.push_back({flag, meta, std::move(set)});
  }
  // Words that do not start with "--" are collected here instead of refused.
  void positionals(std::vector<std::string>& out) { positionals_ = &out; }

  // Returns false (after printing the message) on an unknown option or a bad value.
  bool parse() {
    for (size_t i = 0; i < args_.size(); ++i) {
      const std::string& a = args_[i];
      if (positionals_ && a.rfind("--", 0) != 0) {
        positionals_->push_back(a);
        continue;
      }
      bool matched = false;
      for (auto& [name, target] : flags_)
        if (a == name) {
          *target = true;
          matched = true;
        }
      for (auto& o : options_) {
        if (a != o.flag) continue;
        matched = true;
        if (i + 1 >= args_.size()) return fail(o.flag + " needs a value (" + o.meta + ")") == 0;
        std::string e;
        if (!o.set(args_[++i], &e)) return fail(e) == 0;
      }
      if (!matched) {
        std::string allowed;
        for (auto& o : options_) allowed += " " + o.flag;
        for (auto& f : flags_) allowed += " " + f.first;
        return fail("unknown argument '" + a + "'; allowed:" + allowed) == 0;
      }
    }
    return true;
  }
  // Prints "unrolled <command>: message" and returns the exit code 2.
  int fail(const std::string& message) const {
    std::fprintf(stderr, "unrolled%s%s: %s\n", command_.empty() ? "" : " ", command_.c_str(),
                 message.c_str());
    return 2;
  }

 private:
  static std::string trim(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  struct Option {
    std::string flag, meta;
    std::function<bool(const std::string&, std::string*)> set;
  };
  std::string command_;
  std::vector<std::string> args_;
  std::vector<Option> options_;
  std::vector<std::pair<std::string, bool*>> flags_;
  std::vector<std::string>* positionals_ = nullptr;
};

// A setter for a flag whose value names an enum: parse(value, E&) and allowed_names(E{}) are the
// enum's own (found by argument-dependent lookup); the message lists the allowed names.
template <class E>
ArgParser::Setter enum_flag(const std::string& flag, std::optional<E>& out) {
  return [&out, flag](const std::string& v, std::string* e) {
    E x;
    if (!parse(v, x)) {
      *e = flag + " '" + v + "' is not allowed; allowed: " + allowed_names(E{});
      return false;
    }
    out = x;
    return true;
  };
}

}  // namespace unrolled
