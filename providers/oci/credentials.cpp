#include "providers/oci/credentials.hpp"

#include "pkg/k8s/base64.hpp"

namespace ocne::providers::oci {

std::map<std::string, std::string, std::less<>>
credential_values(const std::string& tenancy,
                  const std::string& user,
                  const std::string& fingerprint,
                  const std::string& region,
                  const std::string& key_pem,
                  const std::string& passphrase)
{
  return {
    { "OCI_TENANCY_ID_B64", k8s::base64_encode(tenancy) },
    { "OCI_USER_ID_B64", k8s::base64_encode(user) },
    { "OCI_CREDENTIALS_FINGERPRINT_B64", k8s::base64_encode(fingerprint) },
    { "OCI_REGION_B64", k8s::base64_encode(region) },
    { "OCI_CREDENTIALS_KEY_B64", k8s::base64_encode(key_pem) },
    { "OCI_CREDENTIALS_PASSPHRASE_B64", k8s::base64_encode(passphrase) },
    { "USE_INSTANCE_PRINCIPAL_B64", k8s::base64_encode("false") },
  };
}

} // namespace ocne::providers::oci
