#include "import/pickle.hpp"

#include <bit>
#include <memory>
#include <sstream>

namespace unrolled::import {
namespace {

// Values created (each about 120 bytes), marks, memo entries: a state_dict of the models Unrolled
// reads needs a few hundred.
constexpr size_t kMaxPickleValues = 1 << 20;
constexpr size_t kMaxMemo = 1 << 20;

struct Value {
  enum Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string s;              // Str; Global "module name"; Storage key
  std::string dtype;          // Storage
  std::vector<Value*> items;  // Tuple, List; Dict as k0, v0, k1, v1, ...
  // Tensor: i indexes Reader::tensors_ (kept apart, so every other value stays small)
};

const char* kind_name(Value::Kind k) {
  static const char* names[] = {"None", "bool", "int",    "float",   "str",   "tuple",
                                "list", "dict", "global", "storage", "tensor"};
  return names[k];
}

std::string opcode_name(unsigned char op) {
  std::ostringstream s;
  s << "0x" << std::hex << int(op);
  if (op >= 0x20 && op < 0x7f) s << " ('" << char(op) << "')";
  return s.str();
}

class Reader {
 public:
  Reader(const std::string& pkl, const std::string& file) : p_(pkl), file_(file) {}

  bool run(std::vector<PickledTensor>& out, std::string* error);

 private:
  bool fail(const std::string& m) {
    error_ = file_ + ": data.pkl byte " + std::to_string(op_at_) + ": " + m;
    return false;
  }
  bool need(size_t n) {
    if (p_.size() - pos_ >= n) return true;
    return fail("the pickle ends in the middle of an opcode");
  }
  uint64_t le(int n) {
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(p_[pos_ + k]);
    pos_ += n;
    return v;
  }
  Value* make(Value::Kind k) {
    if (arena_.size() >= kMaxPickleValues) return nullptr;
    arena_.push_back(std::make_unique<Value>());
    arena_.back()->kind = k;
    return arena_.back().get();
  }
  bool push(Value* v) {
    if (!v || stack_.size() >= kMaxPickleValues)
      return fail("more than " + std::to_string(kMaxPickleValues) + " values");
    stack_.push_back(v);
    return true;
  }
  Value* pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) return nullptr;
    Value* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  // The values above the last mark, which is removed.
  bool pop_mark(std::vector<Value*>& items) {
    if (marks_.empty()) return fail("an opcode needs a MARK and there is none");
    items.assign(stack_.begin() + marks_.back(), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return true;
  }
  bool memo_put(size_t index) {
    if (stack_.empty()) return fail("BINPUT with an empty stack");
    if (index >= kMaxMemo) return fail("memo index " + std::to_string(index) + " is too large");
    if (memo_.size() <= index) memo_.resize(index + 1, nullptr);
    memo_[index] = stack_.back();
    return true;
  }
  bool memo_get(size_t index) {
    if (index >= memo_.size() || !memo_[index])
      return fail("BINGET of memo entry " + std::to_string(index) + ", which was never set");
    return push(memo_[index]);
  }
  bool global(const std::string& module, const std::string& name);
  bool reduce();
  bool persistent_id();
  bool set_items(Value* dict, const std::vector<Value*>& kv);
  bool step(unsigned char op);

  const std::string& p_;
  std::string file_;
  size_t pos_ = 0, op_at_ = 0;
  std::vector<std::unique_ptr<Value>> arena_;
  std::vector<Value*> stack_, memo_;
  std::vector<size_t> marks_;
  std::vector<PickledTensor> tensors_;
  bool stopped_ = false;
  std::string error_;
};

bool Reader::global(const std::string& module, const std::string& name) {
  const std::string full = module + " " + name;
  static const char* allowed[] = {"collections OrderedDict", "torch._utils _rebuild_tensor_v2",
                                  "torch FloatStorage",      "torch DoubleStorage",
                                  "torch HalfStorage",       "torch BFloat16Storage"};
  for (const char* a : allowed)
    if (full == a) {
      Value* v = make(Value::Global);
      if (v) v->s = full;
      return push(v);
    }
  return fail("global '" + full +
              "' is not allowed: a state_dict file holds only a dict of tensors (allowed: "
              "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.FloatStorage, "
              "DoubleStorage, HalfStorage, BFloat16Storage); nothing was run. A whole pickled "
              "model is not read: save model.state_dict() instead");
}

bool Reader::persistent_id() {
  Value* pid = pop();
  if (!pid || pid->kind != Value::Tuple || pid->items.size() != 5 ||
      pid->items[0]->kind != Value::Str || pid->items[0]->s != "storage" ||
      pid->items[1]->kind != Value::Global || pid->items[2]->kind != Value::Str ||
      pid->items[4]->kind != Value::Int)
    return fail("BINPERSID: expected ('storage', torch.<Type>Storage, key, location, numel)");
  const std::string& type = pid->items[1]->s;
  const char* dtype = type == "torch FloatStorage"      ? "float32"
                      : type == "torch DoubleStorage"   ? "float64"
                      : type == "torch HalfStorage"     ? "float16"
                      : type == "torch BFloat16Storage" ? "bfloat16"
                                                        : nullptr;
  if (!dtype) return fail("BINPERSID: '" + type + "' is not a storage type");
  if (pid->items[4]->i < 0) return fail("BINPERSID: a negative storage size");
  Value* v = make(Value::Storage);
  if (!v) return push(v);
  v->s = pid->items[2]->s;
  v->dtype = dtype;
  v->i = pid->items[4]->i;
  return push(v);
}

// Reads a tuple of ints (a tensor's size or stride).
bool int_tuple(const Value* v, std::vector<int64_t>& out) {
  if (v->kind != Value::Tuple || v->items.size() > 8) return false;
  out.clear();
  for (const Value* x : v->items) {
    if (x->kind != Value::Int) return false;
    out.push_back(x->i);
  }
  return true;
}

bool Reader::reduce() {
  Value* args = pop();
  Value* fn = pop();
  if (!args || !fn || args->kind != Value::Tuple || fn->kind != Value::Global)
    return fail("REDUCE: expected an allowed global and a tuple of arguments");
  if (fn->s == "collections OrderedDict") {
    if (!args->items.empty()) return fail("REDUCE: OrderedDict with arguments");
    return push(make(Value::Dict));
  }
  if (fn->s != "torch._utils _rebuild_tensor_v2")
    return fail("REDUCE: '" + fn->s + "' cannot be called");
  const auto& a = args->items;
  Value* t = make(Value::Tensor);
  if (!t) return push(t);
  PickledTensor pt;
  if (a.size() < 4 || a[0]->kind != Value::Storage || a[1]->kind != Value::Int ||
      !int_tuple(a[2], pt.shape) || !int_tuple(a[3], pt.stride) ||
      pt.shape.size() != pt.stride.size())
    return fail("_rebuild_tensor_v2: expected (storage, offset, size, stride, ...)");
  pt.storage_key = a[0]->s;
  pt.dtype = a[0]->dtype;
  pt.storage_numel = a[0]->i;
  pt.offset = a[1]->i;
  t->i = static_cast<int64_t>(tensors_.size());
  tensors_.push_back(std::move(pt));
  return push(t);
}

bool Reader::set_items(Value* dict, const std::vector<Value*>& kv) {
  if (!dict || dict->kind != Value::Dict) return fail("SETITEM(S) on something that is not a dict");
  if (kv.size() % 2) return fail("SETITEMS with an odd number of values");
  dict->items.insert(dict->items.end(), kv.begin(), kv.end());
  return true;
}

bool Reader::step(unsigned char op) {
  std::vector<Value*> items;
  switch (op) {
    case 0x80:  // PROTO
      return need(1) && (static_cast<void>(le(1)), true);
    case 0x95:  // FRAME
      return need(8) && (static_cast<void>(le(8)), true);
    case '.':  // STOP
      stopped_ = true;
      return true;
    case '(':  // MARK
      if (marks_.size() >= kMaxPickleValues)
        return fail("more than " + std::to_string(kMaxPickleValues) + " marks");
      marks_.push_back(stack_.size());
      return true;
    case ')':  // EMPTY_TUPLE
      return push(make(Value::Tuple));
    case 't':     // TUPLE
    case 0x85:    // TUPLE1
    case 0x86:    // TUPLE2
    case 0x87: {  // TUPLE3
      if (op == 't') {
        if (!pop_mark(items)) return false;
      } else {
        for (int k = 0; k < op - 0x84; ++k) {
          Value* v = pop();
          if (!v) return fail("TUPLE" + std::to_string(op - 0x84) + " with too few values");
          items.insert(items.begin(), v);
        }
      }
      Value* t = make(Value::Tuple);
      if (t) t->items = std::move(items);
      return push(t);
    }
    case '}':  // EMPTY_DICT
      return push(make(Value::Dict));
    case ']':  // EMPTY_LIST
      return push(make(Value::List));
    case 's': {  // SETITEM
      Value* v = pop();
      Value* k = pop();
      if (!v || !k) return fail("SETITEM with too few values");
      return set_items(stack_.empty() ? nullptr : stack_.back(), {k, v});
    }
    case 'u':  // SETITEMS
      return pop_mark(items) && set_items(stack_.empty() ? nullptr : stack_.back(), items);
    case 'a': {  // APPEND
      Value* v = pop();
      if (!v || stack_.empty() || stack_.back()->kind != Value::List)
        return fail("APPEND to something that is not a list");
      stack_.back()->items.push_back(v);
      return true;
    }
    case 'e':  // APPENDS
      if (!pop_mark(items)) return false;
      if (stack_.empty() || stack_.back()->kind != Value::List)
        return fail("APPENDS to something that is not a list");
      stack_.back()->items.insert(stack_.back()->items.end(), items.begin(), items.end());
      return true;
    case 'q':  // BINPUT
      return need(1) && memo_put(le(1));
    case 'r':  // LONG_BINPUT
      return need(4) && memo_put(le(4));
    case 0x94:  // MEMOIZE
      return memo_put(memo_.size());
    case 'h':  // BINGET
      return need(1) && memo_get(le(1));
    case 'j':  // LONG_BINGET
      return need(4) && memo_get(le(4));
    case 'J':    // BININT
    case 'K':    // BININT1
    case 'M': {  // BININT2
      const int n = op == 'J' ? 4 : op == 'K' ? 1 : 2;
      if (!need(n)) return false;
      Value* v = make(Value::Int);
      const uint64_t raw = le(n);
      if (v) v->i = n == 4 ? static_cast<int32_t>(raw) : static_cast<int64_t>(raw);
      return push(v);
    }
    case 0x8a: {  // LONG1: n little-endian two's-complement bytes
      if (!need(1)) return false;
      const int n = static_cast<int>(le(1));
      if (n > 8) return fail("LONG1 of " + std::to_string(n) + " bytes; at most 8 are read");
      if (!need(n)) return false;
      uint64_t raw = le(n);
      if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1) raw |= ~uint64_t{0} << (8 * n);
      Value* v = make(Value::Int);
      if (v) v->i = static_cast<int64_t>(raw);
      return push(v);
    }
    case 'G': {  // BINFLOAT, big-endian
      if (!need(8)) return false;
      uint64_t raw = 0;
      for (int k = 0; k < 8; ++k) raw = (raw << 8) | static_cast<unsigned char>(p_[pos_ + k]);
      pos_ += 8;
      Value* v = make(Value::Float);
      if (v) v->f = std::bit_cast<double>(raw);
      return push(v);
    }
    case 'X':     // BINUNICODE
    case 0x8c: {  // SHORT_BINUNICODE
      const int w = op == 'X' ? 4 : 1;
      if (!need(w)) return false;
      const uint64_t n = le(w);
      if (!need(n)) return false;
      Value* v = make(Value::Str);
      if (v) v->s = p_.substr(pos_, n);
      pos_ += n;
      return push(v);
    }
    case 'N':
      return push(make(Value::None));
    case 0x88:    // NEWTRUE
    case 0x89: {  // NEWFALSE
      Value* v = make(Value::Bool);
      if (v) v->i = op == 0x88;
      return push(v);
    }
    case 'c': {  // GLOBAL "module\nname\n"
      std::string parts[2];
      for (auto& part : parts) {
        const size_t nl = p_.find('\n', pos_);
        if (nl == std::string::npos || nl - pos_ > 256) return fail("GLOBAL without its names");
        part = p_.substr(pos_, nl - pos_);
        pos_ = nl + 1;
      }
      return global(parts[0], parts[1]);
    }
    case 0x93: {  // STACK_GLOBAL
      Value* name = pop();
      Value* module = pop();
      if (!name || !module || name->kind != Value::Str || module->kind != Value::Str)
        return fail("STACK_GLOBAL without two strings");
      return global(module->s, name->s);
    }
    case 'Q':  // BINPERSID
      return persistent_id();
    case 'R':  // REDUCE
      return reduce();
    case 'b': {  // BUILD: only a dict's attributes (the state_dict's _metadata), ignored
      Value* state = pop();
      if (!state || stack_.empty() || stack_.back()->kind != Value::Dict ||
          state->kind != Value::Dict)
        return fail("BUILD is only allowed to set a dict's attributes (_metadata)");
      return true;
    }
    default:
      return fail("opcode " + opcode_name(op) +
                  " is not allowed in a state_dict file; nothing was run");
  }
}

bool Reader::run(std::vector<PickledTensor>& out, std::string* error) {
  while (!stopped_) {
    op_at_ = pos_;
    if (pos_ >= p_.size()) {
      fail("the pickle ends without STOP");
      break;
    }
    if (!step(static_cast<unsigned char>(p_[pos_++]))) break;
  }
  if (stopped_ && (stack_.size() != 1 || stack_[0]->kind != Value::Dict)) {
    stopped_ = false;
    fail("the pickle holds " +
         (stack_.size() == 1 ? std::string("a ") + kind_name(stack_[0]->kind)
                             : std::to_string(stack_.size()) + " values") +
         ", not a dict of tensors (a state_dict)");
  }
  if (!stopped_) {
    if (error) *error = error_;
    return false;
  }
  std::vector<PickledTensor> tensors;
  const auto& kv = stack_[0]->items;
  for (size_t k = 0; k + 1 < kv.size(); k += 2) {
    if (kv[k]->kind != Value::Str || kv[k + 1]->kind != Value::Tensor) {
      if (error)
        *error = file_ + ": the state_dict maps " + kind_name(kv[k]->kind) + " " +
                 (kv[k]->kind == Value::Str ? "'" + kv[k]->s + "' " : "") + "to a " +
                 kind_name(kv[k + 1]->kind) + "; only names to tensors are read";
      return false;
    }
    tensors.push_back(tensors_[kv[k + 1]->i]);
    tensors.back().name = kv[k]->s;
  }
  out = std::move(tensors);
  return true;
}

}  // namespace

bool read_state_dict_pickle(const std::string& pkl, const std::string& file,
                            std::vector<PickledTensor>& out, std::string* error) {
  Reader r(pkl, file);
  return r.run(out, error);
}

}  // namespace unrolled::import
