#pragma once

// Kubeconfig files: finding them, merging them as kubectl does, picking a
// context, and writing new ones.
//
// Which file ocne uses (flag, defaults.yaml, environment, ephemeral cluster)
// is decided by the caller; this API takes the candidate files and reports
// which file and context it used.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/secret.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::k8s {

// Everything needed to talk to one API server, resolved from a kubeconfig:
// file references are read, *-data fields decoded.
struct ClusterAccess
{
  std::string server; // "https://host:port" (a path prefix is kept)
  std::string ca_pem; // empty: the system trust store
  std::string client_cert_pem;
  Secret client_key_pem;
  Secret token;
  std::string username;
  Secret password;
  // Only when the kubeconfig itself says insecure-skip-tls-verify: true.
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string default_namespace = "default";

  // Where it came from, for messages.
  fs::Path file; // the file that defined the context
  std::string context;
  std::string cluster;
  std::string user;
};

// The files to read, in kubectl's order: an explicit path alone; else the
// entries of a KUBECONFIG value (colon-separated, empty entries dropped,
// duplicates removed); else ~/.kube/config.
std::vector<fs::Path> kubeconfig_files(const std::optional<fs::Path>& explicit_path,
                                       const std::optional<std::string>& kubeconfig_env,
                                       const fs::Path& home);

struct LoadOptions
{
  // The context to use; empty means current-context.
  std::string context;
  // Whether every file must exist (an explicit --kubeconfig). Otherwise
  // missing files are skipped as kubectl does for KUBECONFIG lists.
  bool require_all = false;
};

// Loads and merges the files (for each name the first file that defines it
// wins, and so does the first current-context) and resolves the context.
Result<ClusterAccess> load_kubeconfig(const std::vector<fs::Path>& files, const LoadOptions& options = {});

// The same for a kubeconfig held in memory (a Secret's value); relative file
// references resolve against base_dir.
Result<ClusterAccess> load_kubeconfig_text(std::string_view text,
                                           std::string_view source,
                                           const fs::Path& base_dir,
                                           const LoadOptions& options = {});

// The context names a set of files defines (for listings and messages).
Result<std::vector<std::string>> kubeconfig_contexts(const std::vector<fs::Path>& files);

// A single-cluster kubeconfig.
struct KubeconfigSpec
{
  std::string name; // used for the cluster, user and context names
  std::string server;
  std::string ca_pem;
  std::string client_cert_pem;
  Secret client_key_pem;
  Secret token;
  std::string default_namespace;
  bool insecure_skip_tls_verify = false;
};

// Renders the kubeconfig YAML (certificates and keys inline as *-data).
Secret make_kubeconfig(const KubeconfigSpec& spec);

// Checks that content is a usable kubeconfig, then writes it atomically with
// mode 0600 (the parent folder is created with 0700 if missing).
Status write_kubeconfig(const fs::Path& path, std::string_view content);

} // namespace ocne::k8s
