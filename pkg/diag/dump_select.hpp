#pragma once

// Which resource types a dump lists.

#include "pkg/diag/dump.hpp"
#include "pkg/k8s/client.hpp"

#include <vector>

namespace ocne::diag {

// The types to list, sorted by file name: listable, never Secrets,
// ConfigMaps only with include_configmaps, no review/binding kinds; with
// curated only the fixed list (Cluster API kubeadm kinds included).
std::vector<k8s::ResourceMapping> select_resources(const std::vector<k8s::ResourceMapping>& discovered,
                                                   const DumpOptions& options);

} // namespace ocne::diag
