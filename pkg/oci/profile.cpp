#include "pkg/oci/profile.hpp"

namespace ocne::oci {

ClientSettings
client_settings_from_env(const Environment& env)
{
  ClientSettings s;
  s.overrides.all = env.get_or("OCNE_OCI_ENDPOINT", "");
  s.overrides.identity = env.get_or("OCNE_OCI_IDENTITY_ENDPOINT", "");
  s.overrides.object_storage = env.get_or("OCNE_OCI_OBJECTSTORAGE_ENDPOINT", "");
  s.overrides.iaas = env.get_or("OCNE_OCI_IAAS_ENDPOINT", "");
  s.ca_file = env.get_or("OCNE_OCI_CA_BUNDLE", env.get_or("OCI_CLI_CERT_BUNDLE", ""));
  return s;
}

Result<Client>
client_from_profile(const config::OciProfile& profile, const Environment& env)
{
  OCNE_TRY_ASSIGN(const auto key, config::read_private_key_file(profile.key_file));
  const auto key_name = "key file " + profile.key_file.string();
  std::optional<Signer> signer;
  if (!profile.security_token_file.empty()) {
    OCNE_TRY_ASSIGN(const auto token, config::read_security_token(profile));
    OCNE_TRY_ASSIGN(signer, Signer::from_session_token(key, profile.pass_phrase, token, key_name));
  } else {
    OCNE_TRY_ASSIGN(
      signer,
      Signer::from_api_key(key, profile.pass_phrase, { profile.tenancy, profile.user, profile.fingerprint }, key_name));
  }
  const auto settings = client_settings_from_env(env);
  OCNE_TRY_ASSIGN(const auto sources, load_region_sources(env));
  auto endpoints = resolve_endpoints(profile.region, sources, settings.overrides);
  if (!endpoints) {
    return make_error(endpoints.error().with_context(profile.where("region")));
  }
  auto transport = default_transport_options();
  transport.tls.ca_file = settings.ca_file;
  return Client(std::move(*signer), std::move(*endpoints), std::move(transport));
}

} // namespace ocne::oci
