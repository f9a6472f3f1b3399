#pragma once

// The key table: one row per configuration key, with where it may appear,
// its built-in default, its valid range and how to treat it. Parsing, merging,
// defaults, writing and the documentation check all loop over this table.

#include "pkg/config/cluster_config.hpp"

#include <cstdint>
#include <limits>
#include <string_view>
#include <variant>
#include <vector>

namespace ocne::config {

// Where a key may appear. ocne's defaults.yaml holds "Config" keys, cluster
// files hold "ClusterConfig" keys; most keys are valid in both.
enum Scope : unsigned {
  k_defaults_file = 1,
  k_cluster_file = 2,
  k_anywhere = k_defaults_file | k_cluster_file,
};

// How a value is checked or transformed when loaded.
enum Treatment : unsigned {
  k_plain = 0,
  k_path = 1,      // "~" expanded; relative paths resolved against the file's folder
  k_quantity = 2,  // a Kubernetes quantity such as 20Gi or 4194304Ki
  k_whole_gib = 4, // a quantity that must be a whole number of GiB (Oxide)
  k_cidrs = 8,     // a comma-separated list of CIDRs
};

using FieldRef = std::variant<Str*, Int*, Bool*, StrList*, std::vector<Catalog>*, std::vector<Application>*>;

enum class Kind { string, integer, boolean, string_list, catalogs, applications, yaml };
std::string_view to_string(Kind kind);

struct Field
{
  std::string_view key; // dotted YAML path, e.g. "providers.oci.controlPlaneShape.ocpus"
  Kind kind = Kind::string;
  unsigned scope = k_anywhere;
  std::string_view default_value; // YAML text of the built-in default; empty = none
  FieldRef (*ref)(ClusterConfig&) = nullptr;
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  unsigned treatment = k_plain;
  std::string_view help;
};

// Every key, in documentation order.
const std::vector<Field>& fields();
// The row for a key (after aliases), or nullptr.
const Field* find_field(std::string_view key);
// The canonical key for an alias ("ephemeralCluster.node.cpus" -> "...cpu"),
// or the key itself.
std::string_view canonical_key(std::string_view key);
// Whether key is a mapping of other keys ("providers", "providers.oci", ...).
bool is_group(std::string_view key);

// Convenience accessors through the table.
template<typename T>
T*
field_ptr(ClusterConfig& config, const Field& field)
{
  auto ref = field.ref(config);
  auto* p = std::get_if<T*>(&ref);
  return p != nullptr ? *p : nullptr;
}

} // namespace ocne::config
