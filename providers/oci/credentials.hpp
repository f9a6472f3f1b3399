#pragma once

// The OCI_*_B64 variables CAPOCI's components read, from a profile's values
// (key_pem: the private key PEM). Values are base64 of the raw text, as
// clusterctl users produce them with `base64 | tr -d '\n'`. They are
// secrets: never log them.

#include <functional>
#include <map>
#include <string>

namespace ocne::providers::oci {

std::map<std::string, std::string, std::less<>> credential_values(const std::string& tenancy,
                                                                  const std::string& user,
                                                                  const std::string& fingerprint,
                                                                  const std::string& region,
                                                                  const std::string& key_pem,
                                                                  const std::string& passphrase);

} // namespace ocne::providers::oci
