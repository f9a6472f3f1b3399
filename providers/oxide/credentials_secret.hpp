#pragma once

// The Secret CAPOx reads an OxideCluster's credentials from
// (spec.credentialsRef: keys oxide-host and oxide-token), in the cluster's
// namespace of the management cluster. Created, or updated when the token
// or host changed; left alone (nothing written) when it holds them already.
// The token never reaches a log line or an error.

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"
#include "pkg/k8s/client.hpp"

#include <string>
#include <string_view>

namespace ocne::providers::oxide {

struct OxideCredentials
{
  std::string namespace_;
  std::string name;    // credentials_secret_name(<cluster>)
  std::string cluster; // the cluster-name label
  std::string host;
  Secret token;
};

// The Secret's name for a cluster ("<cluster>-oxide-credentials"): the
// template's OXIDE_CREDENTIALS_SECRET, which the OxideCluster names.
std::string credentials_secret_name(std::string_view cluster_name);

// Returns whether the Secret was written.
Result<bool> ensure_oxide_credentials(k8s::Client& management, const OxideCredentials& credentials);

} // namespace ocne::providers::oxide
