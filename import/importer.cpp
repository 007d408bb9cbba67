// Which reader a file needs, from its first bytes (and, for HDF5, what it holds).
#include "import/importer.hpp"

#include <filesystem>

#include "import/hdf5_file.hpp"
#include "import/keras.hpp"
#include "import/safetensors.hpp"
#include "import/torch_file.hpp"
#include "import/zip_archive.hpp"

namespace unrolled::import {
namespace {

constexpr int64_t kMaxConfigBytes = int64_t{16} << 20;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool parse_config(const std::string& text, const std::string& what, Json& out, std::string* error) {
  return parse_json_text(text, what, out, error);
}

// A Keras .keras archive: config.json, metadata.json (keras_version), model.weights.h5.
bool read_keras_archive(const std::string& bytes, const std::string& file, const ImportOptions& opt,
                        ImportResult& out, std::string* error) {
  ZipArchive zip;
  if (!zip.open(bytes, file, error)) return false;
  std::string config_text, meta_text, weights;
  if (!zip.read("config.json", kMaxConfigBytes, config_text, error) ||
      !zip.read("model.weights.h5", kMaxImportBytes, weights, error))
    return false;
  int major = 3;
  if (zip.contains("metadata.json")) {
    Json meta;
    if (!zip.read("metadata.json", kMaxConfigBytes, meta_text, error) ||
        !parse_config(meta_text, file + ": metadata.json", meta, error))
      return false;
    if (meta.is_object() && meta.contains("keras_version") && meta["keras_version"].is_string())
      major = std::max(2, keras_major_version(meta["keras_version"].get<std::string>()));
  } else {
    out.notes.push_back("no metadata.json: read as Keras 3");
  }
  Json config;
  if (!parse_config(config_text, file + ": config.json", config, error)) return false;
  H5File h5;
  if (!h5.open(weights, file + ": model.weights.h5", error)) return false;
  out.format = "keras archive (.keras)";
  return model_from_keras(config, major, h5, false, "", opt, file, out, error);
}

// An HDF5 file: a whole legacy Keras model (model_config attribute), or weights alone (legacy
// layer_names, or Keras 3's layers/ groups) read with a config given or found beside it.
bool read_keras_h5(const std::string& bytes, const std::string& path, const ImportOptions& opt,
                   ImportResult& out, std::string* error) {
  H5File h5;
  if (!h5.open(bytes, path, error)) return false;
  std::vector<std::string> text;
  int major = 2;
  if (h5.has_attribute("/", "keras_version")) {
    if (!h5.string_attribute("/", "keras_version", text, error)) return false;
    if (!text.empty() && keras_major_version(text[0]) > 0) major = keras_major_version(text[0]);
  }
  if (h5.has_attribute("/", "model_config")) {
    Json config;
    if (!h5.string_attribute("/", "model_config", text, error) || text.size() != 1 ||
        !parse_config(text.empty() ? "" : text[0], path + ": model_config", config, error))
      return false;
    if (!h5.exists("model_weights")) {
      if (error) *error = path + ": no model_weights group beside model_config";
      return false;
    }
    out.format = "keras legacy h5 (Keras " + std::to_string(major) + ")";
    return model_from_keras(config, major, h5, true, "model_weights", opt, path, out, error);
  }
  const bool legacy = h5.has_attribute("/", "layer_names");
  if (!legacy && !h5.exists("layers")) {
    if (error)
      *error = path +
               ": an HDF5 file without Keras' model_config, layer_names or layers/: not a "
               "Keras model or weights file";
    return false;
  }
  std::string config_path = opt.keras_config;
  if (config_path.empty()) {
    config_path = (std::filesystem::path(path).parent_path() / "config.json").string();
    if (!std::filesystem::exists(config_path)) {
      if (error)
        *error = path +
                 ": a weights file holds no architecture: give --config CONFIG.json (the "
                 "model's config.json or model.to_json()), or put config.json beside it";
      return false;
    }
    out.notes.push_back("architecture read from " + config_path);
  }
  Json config;
  if (!read_json_file(config_path, kMaxConfigBytes, config, error)) return false;
  if (!legacy) {
    major = 3;
    out.notes.push_back("Keras 3 weights layout (layers/.../vars): read as Keras 3");
  }
  out.format = legacy ? "keras legacy weights (.h5)" : "keras weights (.weights.h5)";
  return model_from_keras(config, major, h5, legacy, "", opt, path, out, error);
}

}  // namespace

bool import_model(const std::string& path, const ImportOptions& opt, ImportResult& out,
                  std::string* error) {
  std::string bytes;
  if (!read_file_bytes(path, bytes, error)) return false;
  ImportResult r;
  bool ok = false;
  if (ends_with(path, ".safetensors")) {
    TensorList tensors;
    if (!read_safetensors(bytes, path, tensors, error)) return false;
    r.format = "safetensors";
    bool keras_names = false;
    for (const Tensor& t : tensors)
      keras_names = keras_names || t.name.find('/') != std::string::npos;
    ok = keras_names ? model_from_keras_names(tensors, opt, path, r, error)
                     : model_from_state_dict(tensors, opt, path, r, error);
  } else if (looks_like_zip(bytes)) {
    ZipArchive zip;
    if (!zip.open(bytes, path, error)) return false;
    if (zip.contains("config.json") && zip.contains("model.weights.h5")) {
      ok = read_keras_archive(bytes, path, opt, r, error);
    } else {
      TensorList tensors;
      if (!read_torch_file(bytes, path, tensors, error)) return false;
      r.format = "pytorch state_dict";
      ok = model_from_state_dict(tensors, opt, path, r, error);
    }
  } else if (looks_like_hdf5(bytes)) {
    ok = read_keras_h5(bytes, path, opt, r, error);
  } else if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80) {
    TensorList tensors;
    ok = read_torch_file(bytes, path, tensors, error);  // refuses the legacy format by name
  } else if (error) {
    *error = path +
             ": not a model file Unrolled imports: expected a PyTorch state_dict (.pt, "
             ".pth: a zip), a .safetensors file, a Keras .keras archive (a zip) or a "
             "Keras HDF5 file (.h5, .weights.h5)";
  }
  if (!ok) return false;
  out = std::move(r);
  return true;
}

}  // namespace unrolled::import
