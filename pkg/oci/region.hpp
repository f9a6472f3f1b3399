#pragma once

// OCI regions, realms and the service endpoints derived from them.
// Endpoints are https://<service>.<region>.<realm domain>, except Identity,
// which has an extra "oci." (identity.<region>.oci.<domain>). Every service
// URL can be overridden, which is how tests point the client at 127.0.0.1.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::oci {

struct Region
{
  std::string key;        // short code, "iad"
  std::string identifier; // "us-ashburn-1"
  std::string realm;      // "oc1"
  std::string domain;     // "oraclecloud.com"
};

// The regions ocne knows without any configuration.
const std::vector<Region>& builtin_regions();
// The domain of a realm ("oc1" -> "oraclecloud.com").
std::optional<std::string> realm_domain(std::string_view realm);

// Extra regions, as the SDKs read them: ~/.oci/regions-config.json (a JSON
// list) and OCI_REGION_METADATA (one JSON object), with the fields
// regionKey, regionIdentifier, realmKey, realmDomainComponent.
struct RegionSources
{
  std::vector<Region> extra;
};
Result<RegionSources> load_region_sources(const Environment& env);
// Parses one source's text; origin names it in errors.
Result<std::vector<Region>> parse_region_metadata(std::string_view json_text, std::string_view origin);

// A region by name or short code, case-insensitively; extra sources first.
Result<Region> find_region(std::string_view name_or_key, const RegionSources& sources = {});

struct Endpoints
{
  std::string identity;       // https://identity.<region>.oci.<domain>
  std::string object_storage; // https://objectstorage.<region>.<domain>
  std::string iaas;           // https://iaas.<region>.<domain> (compute, images, work requests)
};

// Base URLs that replace the computed ones. `all` sets every service at once
// (one test server serves them all); a per-service value wins over it.
struct EndpointOverrides
{
  std::string all;
  std::string identity;
  std::string object_storage;
  std::string iaas;

  bool
  complete() const
  {
    return !all.empty() || (!identity.empty() && !object_storage.empty() && !iaas.empty());
  }
};

Endpoints endpoints_for(const Region& region, const EndpointOverrides& overrides = {});
// The region is only looked up when some service is not overridden.
Result<Endpoints> resolve_endpoints(std::string_view region,
                                    const RegionSources& sources,
                                    const EndpointOverrides& overrides);

} // namespace ocne::oci
