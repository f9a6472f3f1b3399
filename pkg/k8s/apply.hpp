#pragma once

// Applying manifests: multi-document YAML (or already parsed objects) sent
// with server-side apply, or created only when absent.
//
// The whole stream is parsed and checked before anything is sent, so a
// broken document applies nothing. Namespaces go first, then
// CustomResourceDefinitions (waited for until Established, so custom
// resources in the same stream find their type), then everything else in
// parallel.

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/k8s/client.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::k8s {

struct ManifestOptions
{
  ApplyOptions apply;
  // Create objects that do not exist and leave existing ones alone (what
  // ocne does with rendered cluster templates) instead of applying.
  bool create_only = false;
  // Overrides the context's default namespace for objects without one.
  std::string default_namespace;
  // How long to wait for a CRD of the stream to become Established.
  std::chrono::milliseconds crd_timeout{ std::chrono::minutes(1) };
};

struct AppliedObject
{
  ObjectRef ref;
  // "applied", "created" or "exists" (create_only and already there).
  std::string action;
};

Result<std::vector<AppliedObject>> apply_manifest(Client& client,
                                                  std::string_view yaml,
                                                  std::string_view source,
                                                  const ManifestOptions& options,
                                                  ProgressSink& progress);

// The same for objects already in memory; origins label them in messages
// (empty: "object <n>").
Result<std::vector<AppliedObject>> apply_objects(Client& client,
                                                 std::vector<nlohmann::json> objects,
                                                 const std::vector<std::string>& origins,
                                                 const ManifestOptions& options,
                                                 ProgressSink& progress);

} // namespace ocne::k8s
