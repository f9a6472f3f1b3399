#pragma once

// The signed HTTP client every OCI call goes through: one Transport (TLS,
// retries honouring Retry-After, opc-request-id logged at debug level), one
// Signer, and the service base URLs.

#include "pkg/core/error.hpp"
#include "pkg/http/transport.hpp"
#include "pkg/oci/region.hpp"
#include "pkg/oci/signer.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace ocne::oci {

// Retries suited to OCI: 429 and 5xx back off up to half a minute.
http::TransportOptions default_transport_options();

class Client
{
public:
  Client(Signer signer, Endpoints endpoints, http::TransportOptions transport = default_transport_options());

  const Signer&
  signer() const
  {
    return m_signer;
  }
  const Endpoints&
  endpoints() const
  {
    return m_endpoints;
  }
  const http::Transport&
  transport() const
  {
    return *m_transport;
  }

  // Signs (before every attempt) and sends; any HTTP status is a Response.
  Result<http::Response> send(http::Request request, BodySigning mode = BodySigning::standard) const;
  // Like send, but a non-2xx answer becomes an Error naming `what`, OCI's
  // code and message, and the opc-request-id.
  Result<http::Response> call(std::string_view what,
                              http::Request request,
                              BodySigning mode = BodySigning::standard) const;

  // The Error for a failed answer (exposed for callers that accept some
  // non-2xx statuses, like 404 for "absent").
  Error api_error(std::string_view what, const http::Response& response) const;

private:
  Signer m_signer;
  Endpoints m_endpoints;
  std::shared_ptr<http::Transport> m_transport;
};

} // namespace ocne::oci
