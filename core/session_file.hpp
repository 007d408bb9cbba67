// Unrolled core: session files — a whole run saved and resumed bit for bit. Byte by byte:
// docs/session-format.md.
//
//   offset 0   "UNRLSESS"            8 bytes, the magic
//          8   version               u32 little-endian (kSessionVersion)
//         12   flags                 u32, 0
//         16   header_bytes          u64, at most kMaxSessionHeaderBytes
//         24   header_fnv1a64        u64, FNV-1a 64 of the header
//         32   header                JSON text: the experiment, each model's trainer state, its
//                                    checkpoints, the app's view, and the blob manifest
//   32 + header_bytes   blobs         back to back in manifest order, each little-endian f64 or
//                                    u32 values, with its own FNV-1a 64 in the manifest
//
// Every double (weights, optimiser state, losses, history) lives in a blob, so it comes back bit
// for bit; the header holds integers, names and the settings (whose doubles JSON writes in their
// shortest exact form). Reading checks, before it allocates anything the file describes: the
// magic, the version, the header's size and checksum, the experiment, each blob's type and count
// against the shapes the experiment implies, the blobs' total against the file's size (truncated
// or trailing bytes); then each blob's checksum as it is read, and every state against a trainer
// configured for its model (core/trainer.hpp, Trainer::restore). One message names the file and
// the first problem.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "core/checkpoints.hpp"
#include "core/experiment.hpp"
#include "core/json_io.hpp"
#include "core/trainer_state.hpp"

namespace unrolled {

constexpr uint32_t kSessionVersion = 1;
constexpr uint64_t kMaxSessionHeaderBytes = 16u << 20;
constexpr char kSessionMagic[8] = {'U', 'N', 'R', 'L', 'S', 'E', 'S', 'S'};
constexpr size_t kSessionPrefixBytes = 32;

struct Session {
  ExperimentConfig config;          // the experiment as the trainers run it
  std::vector<TrainerState> models; // one per saved model, each with its history
  // checkpoints[k] belong to models[k], oldest first (may be empty; at most what the default
  // checkpoint budget holds for the model).
  std::vector<std::vector<Checkpoint>> checkpoints;
  Json view = Json::object();  // the app's: mode, focused panel, selections, tour step (opaque)
};

// The file's bytes.
std::string session_to_bytes(const Session& s);
// Writes atomically: a temporary file beside the target (through a symlink, to its target),
// flushed to disk, given the replaced file's permissions, then renamed over it.
bool save_session(const std::string& path, const Session& s, std::string* error);
// Reads `size` bytes of a session from `in`; `name` starts every message (the file's path).
bool read_session(std::istream& in, uint64_t size, const std::string& name, Session& out,
                  std::string* error);
bool load_session(const std::string& path, Session& out, std::string* error);
bool session_from_bytes(const std::string& bytes, const std::string& name, Session& out,
                        std::string* error);

// FNV-1a 64 of n bytes, continuing from h (start with kFnvOffset).
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
uint64_t fnv1a64(const void* data, size_t n, uint64_t h = kFnvOffset);

}  // namespace unrolled
