// Unrolled import: a restricted reader for the pickle inside a PyTorch state_dict file.
//
// It is not an unpickler: it interprets only the opcodes torch.save writes for a dict of tensors
// (protocol 2 as PyTorch 1.13 writes it, and the few protocol 3-4 framing opcodes), and only
// these globals, which it never calls but recognises by name:
//   collections OrderedDict            an empty dict
//   torch._utils _rebuild_tensor_v2    a tensor view (storage, offset, size, stride, ...)
//   torch FloatStorage | DoubleStorage | HalfStorage | BFloat16Storage   a storage's dtype
// Any other opcode or global is refused with a message naming it (and its byte offset), before
// anything further is read: a model file can never run code here. Every value lives in an
// arena owned by the reader, so no input can build a reference cycle or recurse.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace unrolled::import {

// One tensor of the state_dict, before its storage is read.
struct PickledTensor {
  std::string name;           // the state_dict key
  std::string storage_key;    // the archive member data/<key>
  std::string dtype;          // float32 | float64 | float16 | bfloat16
  int64_t storage_numel = 0;  // the storage's element count, as the pickle declares it
  int64_t offset = 0;         // storage_offset
  std::vector<int64_t> shape, stride;
};

// pkl: data.pkl's bytes; file names it in messages.
bool read_state_dict_pickle(const std::string& pkl, const std::string& file,
                            std::vector<PickledTensor>& out, std::string* error);

}  // namespace unrolled::import
