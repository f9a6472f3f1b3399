#pragma once

// Kubeconfig files with embedded CA and client certificate, as kubectl and
// ocne's own client read them. They hold a private key: always mode 0600.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/secret.hpp"

#include <string>

namespace ocne::pki {

struct KubeconfigSpec
{
  std::string server; // https://host:port
  std::string ca_pem;
  std::string client_cert_pem;
  Secret client_key_pem;
  std::string cluster_name = "kubernetes";
  std::string user_name = "kubernetes-admin";
};

// The kubeconfig YAML (a Secret: it embeds the client key).
Secret render_kubeconfig(const KubeconfigSpec& spec);

// Writes it atomically with mode 0600, creating the folder (0700) if needed.
Status write_kubeconfig(const fs::Path& path, const KubeconfigSpec& spec);

// "https://<host>:<port>" with IPv6 hosts bracketed.
std::string server_url(std::string_view host, unsigned port);

} // namespace ocne::pki
