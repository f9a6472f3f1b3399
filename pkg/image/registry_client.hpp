#pragma once

// A client for the registry HTTP API v2 (the OCI distribution spec), pull
// side only: manifests and blobs of one repository.
//
// Authentication follows the registry's WWW-Authenticate challenge: Basic
// with the user's credentials, or the Bearer token flow (a token from the
// challenge's realm for its service and scope, asked for anonymously or with
// the credentials). Tokens and passwords are Secrets and never logged.
// Blob downloads go to a BlobStore, resume a partial download with a Range
// request (also within one run, after a dropped connection), and are
// verified against their digest before they are accepted; a blob whose
// digest does not match is deleted.
// Proxies come from the environment as libcurl reads them (http_proxy,
// https_proxy/HTTPS_PROXY, all_proxy, no_proxy/NO_PROXY).

#include "pkg/core/error.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/http/transport.hpp"
#include "pkg/image/blob_store.hpp"
#include "pkg/image/credentials.hpp"
#include "pkg/image/manifest.hpp"
#include "pkg/image/reference.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocne::image {

struct RegistryOptions
{
  http::TlsOptions tls;
  http::RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{ 10000 };
  // A transfer that moves no byte for this long is dropped (and resumed).
  std::chrono::milliseconds idle_timeout{ 60000 };
  // Credentials to use; when unset they are looked up in auth_files.
  std::optional<Credentials> credentials;
  std::vector<fs::Path> auth_files;
  // Registries ("host:port") reached over plain HTTP. Loopback registries
  // (localhost, 127.0.0.0/8, [::1]) get HTTPS when they answer it, else HTTP.
  std::vector<std::string> plain_http;
  // How many times one blob download is resumed after a dropped transfer.
  int max_resumes = 5;
  // How long to wait for another ocne run that downloads the same blob.
  std::chrono::milliseconds lock_timeout{ std::chrono::minutes(30) };
};

// Options from the environment: the auth files (credentials.hpp) and
// OCNE_INSECURE_REGISTRIES, a comma-separated list of "host:port" registries
// reached over plain HTTP.
RegistryOptions registry_options_from_env(const Environment& env);

struct FetchedManifest
{
  std::string body;
  std::string media_type; // the Content-Type the registry sent
  Digest digest;          // sha256 of body
};

class RegistryClient
{
public:
  // A client for ref's registry and repository.
  RegistryClient(Reference ref, RegistryOptions options);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  // A manifest or index by tag or digest. Asked by digest, the body must
  // have that digest. Errors: not_found ("no tag ..."), auth, transient.
  Result<FetchedManifest> manifest(std::string_view tag_or_digest);

  // Downloads a blob into store unless it is already there, resuming any
  // partial download, and returns its path. progress gets bytes.
  Result<fs::Path> fetch_blob(const Descriptor& blob, const BlobStore& store, ProgressTask* progress = nullptr);

  // Requests sent so far (tests check that a cache hit sends none).
  int requests() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace ocne::image
