#pragma once

// One layer of configuration (built-in defaults, defaults.yaml, the cluster
// file, or flags) with where each value came from, and the merge of layers.

#include "pkg/config/cluster_config.hpp"
#include "pkg/core/error.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::config {

struct Origin
{
  enum class Source { builtin, defaults_file, cluster_file, flag, computed, cache };
  Source source = Source::builtin;
  std::string file; // as the user named it
  int line = 0;     // 1-based; 0 = unknown
  std::string flag; // "--worker-nodes"

  // "capi.yaml:4", "--worker-nodes", "built-in default", ...
  std::string describe() const;
  bool
  from_file() const
  {
    return source == Source::defaults_file || source == Source::cluster_file;
  }
};

using Origins = std::map<std::string, Origin, std::less<>>;

struct Layer
{
  ClusterConfig config;
  Origins origins; // by canonical key; list keys record the last layer that added
  std::vector<std::string> warnings;
};

enum class FileKind {
  defaults, // strict: unknown keys and cluster-only keys are errors (as ocne)
  cluster,  // lenient: unknown keys are warnings naming file and line
  cache,    // the config stored in clusters.yaml: every key accepted, unknown ignored
};

// Parses one YAML document. display_name is used in messages; relative paths
// are resolved against base_dir (for a cluster file: its `directory:` key when
// set, else the file's folder).
Result<Layer> parse_config(std::string_view text,
                           const std::string& display_name,
                           FileKind kind,
                           const std::filesystem::path& base_dir,
                           const std::filesystem::path& home);

// Reads and parses a file. Errors: "<name>: no such file or directory",
// "<name>:<line>: <what>".
Result<Layer> load_config_file(const std::filesystem::path& path,
                               const std::string& display_name,
                               FileKind kind,
                               const std::filesystem::path& home);

// Sets one key from text, as a command-line flag does, with the same
// conversion and range checks as a file. Errors name origin.flag:
// "--worker-nodes must be between 0 and 65535, got -1". An empty text leaves
// the key unset. List keys take a comma-separated text.
Status set_from_text(Layer& layer, std::string_view key, std::string_view text, const Origin& origin);

// The built-in defaults of every key, from the key table.
Layer builtin_defaults();

// Overlays `over` on `base`: set values win, lists are appended (string lists
// without duplicates), origins follow the winning values.
void merge_into(Layer& base, const Layer& over);

// The configuration as YAML with ocne's key names; unset keys are left out.
std::string to_yaml(const ClusterConfig& config);

} // namespace ocne::config
