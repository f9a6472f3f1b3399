#pragma once

// From a ~/.oci/config profile (pkg/config) to a signed OCI client, for cmd/
// and providers/. Endpoint overrides and the CA bundle come from the
// environment, so tests and private endpoints need no code change:
//
//   OCNE_OCI_ENDPOINT                   every service (one test server)
//   OCNE_OCI_IDENTITY_ENDPOINT          Identity
//   OCNE_OCI_OBJECTSTORAGE_ENDPOINT     Object Storage
//   OCNE_OCI_IAAS_ENDPOINT              Compute / Core (images, work requests)
//   OCNE_OCI_CA_BUNDLE (or OCI_CLI_CERT_BUNDLE)  PEM file of CAs to trust

#include "pkg/config/oci_config.hpp"
#include "pkg/core/env.hpp"
#include "pkg/oci/client.hpp"

namespace ocne::oci {

struct ClientSettings
{
  EndpointOverrides overrides;
  std::string ca_file;
};

ClientSettings client_settings_from_env(const Environment& env);

// Reads the profile's key (and session token), builds the signer, looks the
// region up (regions-config.json and OCI_REGION_METADATA included) and
// returns a client.
Result<Client> client_from_profile(const config::OciProfile& profile, const Environment& env);

} // namespace ocne::oci
