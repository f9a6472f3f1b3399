#pragma once

// Whether a libvirt domain is one ocne created for a cluster, so that ocne
// never stops or removes a domain someone else made under the same name.

#include "pkg/core/cluster_cache.hpp"
#include "pkg/core/error.hpp"
#include "pkg/libvirt/domain.hpp"

#include <string>

namespace ocne::providers::libvirt {

// The cluster named in the domain's ocne metadata ("" when there is none).
Result<std::string> metadata_cluster(const ocne::libvirt::Domain& domain);

// A domain is the cluster's when the cache entry records it (and, once its
// UUID is known, the UUID matches; before that, its ocne metadata names the
// cluster). A cache entry without any recorded objects was written by
// Oracle's ocne: then ocne's naming rule decides, as it did there.
Result<bool> owns_domain(const ClusterRecord& record, const ocne::libvirt::Domain& domain, std::string_view cluster);

} // namespace ocne::providers::libvirt
