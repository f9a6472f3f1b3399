#include "pkg/oci/region.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace ocne::oci {

namespace {

struct RegionRow
{
  const char* key;
  const char* identifier;
  const char* realm;
};

// Region facts as published by Oracle's SDKs (checked against
// ../shared/testdata/oci-regions/regions.json by the unit tests).
constexpr RegionRow k_regions[] = {
  { "lej", "af-casablanca-1", "oc1" },    { "jnb", "af-johannesburg-1", "oc1" }, { "hsg", "ap-batam-1", "oc1" },
  { "yny", "ap-chuncheon-1", "oc1" },     { "onm", "ap-delhi-1", "oc1" },        { "hyd", "ap-hyderabad-1", "oc1" },
  { "jbp", "ap-kulai-2", "oc1" },         { "mel", "ap-melbourne-1", "oc1" },    { "bom", "ap-mumbai-1", "oc1" },
  { "kix", "ap-osaka-1", "oc1" },         { "icn", "ap-seoul-1", "oc1" },        { "sin", "ap-singapore-1", "oc1" },
  { "xsp", "ap-singapore-2", "oc1" },     { "syd", "ap-sydney-1", "oc1" },       { "nrt", "ap-tokyo-1", "oc1" },
  { "yul", "ca-montreal-1", "oc1" },      { "yyz", "ca-toronto-1", "oc1" },      { "ams", "eu-amsterdam-1", "oc1" },
  { "fra", "eu-frankfurt-1", "oc1" },     { "mad", "eu-madrid-1", "oc1" },       { "orf", "eu-madrid-3", "oc1" },
  { "mrs", "eu-marseille-1", "oc1" },     { "lin", "eu-milan-1", "oc1" },        { "cdg", "eu-paris-1", "oc1" },
  { "arn", "eu-stockholm-1", "oc1" },     { "nrq", "eu-turin-1", "oc1" },        { "zrh", "eu-zurich-1", "oc1" },
  { "mtz", "il-jerusalem-1", "oc1" },     { "auh", "me-abudhabi-1", "oc1" },     { "dxb", "me-dubai-1", "oc1" },
  { "jed", "me-jeddah-1", "oc1" },        { "ruh", "me-riyadh-1", "oc1" },       { "mty", "mx-monterrey-1", "oc1" },
  { "qro", "mx-queretaro-1", "oc1" },     { "bog", "sa-bogota-1", "oc1" },       { "scl", "sa-santiago-1", "oc1" },
  { "gru", "sa-saopaulo-1", "oc1" },      { "vap", "sa-valparaiso-1", "oc1" },   { "vcp", "sa-vinhedo-1", "oc1" },
  { "cwl", "uk-cardiff-1", "oc1" },       { "lhr", "uk-london-1", "oc1" },       { "iad", "us-ashburn-1", "oc1" },
  { "ord", "us-chicago-1", "oc1" },       { "phx", "us-phoenix-1", "oc1" },      { "aga", "us-saltlake-2", "oc1" },
  { "sjc", "us-sanjose-1", "oc1" },       { "lfi", "us-langley-1", "oc2" },      { "luf", "us-luke-1", "oc2" },
  { "ric", "us-gov-ashburn-1", "oc3" },   { "pia", "us-gov-chicago-1", "oc3" },  { "tus", "us-gov-phoenix-1", "oc3" },
  { "brs", "uk-gov-cardiff-1", "oc4" },   { "ltn", "uk-gov-london-1", "oc4" },   { "nja", "ap-chiyoda-1", "oc8" },
  { "ukb", "ap-ibaraki-1", "oc8" },       { "mct", "me-dcc-muscat-1", "oc9" },   { "ibr", "me-ibri-1", "oc9" },
  { "wga", "ap-dcc-canberra-1", "oc10" }, { "ork", "eu-dcc-dublin-1", "oc14" },  { "snn", "eu-dcc-dublin-2", "oc14" },
  { "bgy", "eu-dcc-milan-1", "oc14" },    { "mxp", "eu-dcc-milan-2", "oc14" },   { "dus", "eu-dcc-rating-1", "oc14" },
  { "dtm", "eu-dcc-rating-2", "oc14" },   { "dac", "ap-dcc-gazipur-1", "oc15" }, { "str", "eu-frankfurt-2", "oc19" },
  { "vll", "eu-madrid-2", "oc19" },       { "beg", "eu-jovanovac-1", "oc20" },   { "vve", "me-alrayyan-1", "oc21" },
  { "doh", "me-dcc-doha-1", "oc21" },     { "ebb", "us-somerset-1", "oc23" },    { "ebl", "us-thames-1", "oc23" },
  { "avf", "eu-crissier-1", "oc24" },     { "avz", "eu-dcc-zurich-1", "oc24" },  { "ahu", "me-abudhabi-3", "oc26" },
  { "rba", "me-alain-1", "oc26" },        { "rkt", "me-abudhabi-2", "oc29" },    { "shj", "me-abudhabi-4", "oc29" },
  { "bno", "ap-chuncheon-2", "oc35" },    { "dtz", "ap-seoul-2", "oc35" },       { "dln", "ap-suwon-1", "oc35" },
  { "yxj", "us-ashburn-2", "oc42" },      { "pgc", "us-newark-1", "oc42" },      { "jsk", "eu-budapest-1", "oc51" },
  { "hnw", "sa-riodejaneiro-1", "oc52" },
};

struct RealmRow
{
  const char* realm;
  const char* domain;
};

constexpr RealmRow k_realms[] = {
  { "oc1", "oraclecloud.com" },    { "oc2", "oraclegovcloud.com" }, { "oc3", "oraclegovcloud.com" },
  { "oc4", "oraclegovcloud.uk" },  { "oc8", "oraclecloud8.com" },   { "oc9", "oraclecloud9.com" },
  { "oc10", "oraclecloud10.com" }, { "oc14", "oraclecloud14.com" }, { "oc15", "oraclecloud15.com" },
  { "oc19", "oraclecloud.eu" },    { "oc20", "oraclecloud20.com" }, { "oc21", "oraclecloud21.com" },
  { "oc23", "oraclecloud23.com" }, { "oc24", "oraclecloud24.com" }, { "oc26", "oraclecloud26.com" },
  { "oc29", "oraclecloud29.com" }, { "oc35", "oraclecloud35.com" }, { "oc42", "oraclecloud42.com" },
  { "oc51", "oraclecloud51.com" }, { "oc52", "oraclecloud52.com" },
};

std::string
trim_slash(std::string url)
{
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

} // namespace

const std::vector<Region>&
builtin_regions()
{
  static const std::vector<Region> regions = [] {
    std::vector<Region> out;
    for (const auto& r : k_regions) {
      out.push_back({ r.key, r.identifier, r.realm, *realm_domain(r.realm) });
    }
    return out;
  }();
  return regions;
}

std::optional<std::string>
realm_domain(std::string_view realm)
{
  const auto lower = str::to_lower(realm);
  for (const auto& r : k_realms) {
    if (lower == r.realm) {
      return std::string(r.domain);
    }
  }
  return std::nullopt;
}

Result<std::vector<Region>>
parse_region_metadata(std::string_view json_text, std::string_view origin)
{
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorKind::invalid_input, "{}: not valid JSON: {}", origin, e.what());
  }
  if (doc.is_object()) {
    doc = nlohmann::json::array({ doc });
  }
  if (!doc.is_array()) {
    return make_error(ErrorKind::invalid_input, "{}: expected a JSON list of region objects", origin);
  }
  std::vector<Region> out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& e = doc[i];
    Region r;
    for (const auto& [field, target] : { std::pair<const char*, std::string*>{ "regionKey", &r.key },
                                         { "regionIdentifier", &r.identifier },
                                         { "realmKey", &r.realm },
                                         { "realmDomainComponent", &r.domain } }) {
      if (!e.is_object() || !e.contains(field) || !e[field].is_string() || e[field].get<std::string>().empty()) {
        return make_error(ErrorKind::invalid_input, "{}: region entry {} has no {}", origin, i + 1, field);
      }
      *target = str::to_lower(e[field].get<std::string>());
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<RegionSources>
load_region_sources(const Environment& env)
{
  RegionSources sources;
  if (auto meta = env.get_nonempty("OCI_REGION_METADATA")) {
    OCNE_TRY_ASSIGN(auto regions, parse_region_metadata(*meta, "OCI_REGION_METADATA"));
    sources.extra.insert(sources.extra.end(), regions.begin(), regions.end());
  }
  const auto file = env.home() / ".oci" / "regions-config.json";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    OCNE_TRY_ASSIGN(const auto text, fs::read_file(file, 1 << 20));
    OCNE_TRY_ASSIGN(auto regions, parse_region_metadata(text, file.string()));
    sources.extra.insert(sources.extra.end(), regions.begin(), regions.end());
  }
  return sources;
}

Result<Region>
find_region(std::string_view name_or_key, const RegionSources& sources)
{
  const auto wanted = str::to_lower(str::trim(name_or_key));
  if (wanted.empty()) {
    return make_error(ErrorKind::invalid_input, "no OCI region is configured (set region in the OCI config)");
  }
  for (const auto* list : { &sources.extra, &builtin_regions() }) {
    for (const auto& r : *list) {
      if (r.identifier == wanted || r.key == wanted) {
        return r;
      }
    }
  }
  return make_error(ErrorKind::invalid_input,
                    "unknown OCI region {}: not a known region name or short code (a newer region can be added "
                    "to ~/.oci/regions-config.json or OCI_REGION_METADATA)",
                    str::quote(name_or_key));
}

Endpoints
endpoints_for(const Region& region, const EndpointOverrides& overrides)
{
  const auto pick = [&](const std::string& specific, std::string computed) {
    if (!specific.empty()) {
      return trim_slash(specific);
    }
    if (!overrides.all.empty()) {
      return trim_slash(overrides.all);
    }
    return computed;
  };
  Endpoints e;
  e.identity = pick(overrides.identity, "https://identity." + region.identifier + ".oci." + region.domain);
  e.object_storage = pick(overrides.object_storage, "https://objectstorage." + region.identifier + "." + region.domain);
  e.iaas = pick(overrides.iaas, "https://iaas." + region.identifier + "." + region.domain);
  return e;
}

Result<Endpoints>
resolve_endpoints(std::string_view region, const RegionSources& sources, const EndpointOverrides& overrides)
{
  if (overrides.complete()) {
    return endpoints_for(Region{}, overrides);
  }
  OCNE_TRY_ASSIGN(const auto r, find_region(region, sources));
  return endpoints_for(r, overrides);
}

} // namespace ocne::oci
