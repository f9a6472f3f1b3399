#include "pkg/image/manifest.hpp"

#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

namespace ocne::image {

namespace {

using nlohmann::json;

bool
is_index_type(std::string_view t)
{
  return t == media_type::oci_index || t == media_type::docker_list;
}

bool
is_manifest_type(std::string_view t)
{
  return t == media_type::oci_manifest || t == media_type::docker_manifest;
}

std::string
string_field(const json& j, const char* key)
{
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Descriptor>
parse_descriptor(const json& j, std::string_view what)
{
  if (!j.is_object()) {
    return make_error(ErrorKind::invalid_input, "{}: a descriptor is not a JSON object", what);
  }
  Descriptor d;
  d.media_type = string_field(j, "mediaType");
  auto digest = parse_digest(string_field(j, "digest"));
  if (!digest) {
    return make_error(ErrorKind::invalid_input, "{}: {}", what, digest.error().message());
  }
  d.digest = std::move(*digest);
  const auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned()) {
    return make_error(ErrorKind::invalid_input, "{}: descriptor {} has no valid size", what, d.digest.brief());
  }
  d.size = size->get<std::uint64_t>();
  if (const auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.platform = Platform{ string_field(*p, "os"), string_field(*p, "architecture"), string_field(*p, "variant") };
  }
  if (const auto a = j.find("annotations"); a != j.end() && a->is_object()) {
    for (const auto& [k, v] : a->items()) {
      if (v.is_string()) {
        d.annotations[k] = v.get<std::string>();
      }
    }
  }
  return d;
}

} // namespace

std::string
manifest_accept_header()
{
  return fmt::format("{}, {}, {}, {}",
                     media_type::oci_index,
                     media_type::oci_manifest,
                     media_type::docker_list,
                     media_type::docker_manifest);
}

bool
is_tar_layer(std::string_view t)
{
  // OCI layer types (plain, gzip, zstd, non-distributable) and Docker's.
  return str::starts_with(t, "application/vnd.oci.image.layer.") ||
         str::starts_with(t, "application/vnd.docker.image.rootfs.");
}

std::string
Platform::str() const
{
  std::string out = os + "/" + architecture;
  if (!variant.empty()) {
    out += "/" + variant;
  }
  return out;
}

Result<AnyManifest>
parse_manifest(std::string_view body, std::string_view content_type, std::string_view what)
{
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception& e) {
    return make_error(ErrorKind::invalid_input, "{}: the manifest is not valid JSON: {}", what, e.what());
  }
  if (!j.is_object()) {
    return make_error(ErrorKind::invalid_input, "{}: the manifest is not a JSON object", what);
  }
  // Content-Type parameters ("; charset=utf-8") do not matter.
  std::string type(str::trim(content_type.substr(0, content_type.find(';'))));
  if (const auto own = string_field(j, "mediaType"); !own.empty()) {
    type = own;
  } else if (!is_index_type(type) && !is_manifest_type(type)) {
    type = j.contains("manifests") ? std::string(media_type::oci_index)
           : j.contains("layers")  ? std::string(media_type::oci_manifest)
                                   : type;
  }
  const auto schema = j.find("schemaVersion");
  if (schema == j.end() || !schema->is_number_integer() || schema->get<int>() != 2) {
    return make_error(ErrorKind::invalid_input,
                      "{}: unsupported manifest schema (only schema version 2, OCI and Docker v2, is supported)",
                      what);
  }

  if (is_index_type(type)) {
    Index index{ type, {} };
    const auto m = j.find("manifests");
    if (m == j.end() || !m->is_array()) {
      return make_error(ErrorKind::invalid_input, "{}: the index has no manifests list", what);
    }
    for (const auto& e : *m) {
      OCNE_TRY_ASSIGN(auto d, parse_descriptor(e, what));
      index.manifests.push_back(std::move(d));
    }
    return AnyManifest(std::move(index));
  }
  if (is_manifest_type(type)) {
    Manifest manifest{ type, {}, {} };
    const auto c = j.find("config");
    if (c == j.end()) {
      return make_error(ErrorKind::invalid_input, "{}: the manifest has no config", what);
    }
    OCNE_TRY_ASSIGN(manifest.config, parse_descriptor(*c, what));
    const auto l = j.find("layers");
    if (l == j.end() || !l->is_array()) {
      return make_error(ErrorKind::invalid_input, "{}: the manifest has no layers list", what);
    }
    for (const auto& e : *l) {
      OCNE_TRY_ASSIGN(auto d, parse_descriptor(e, what));
      manifest.layers.push_back(std::move(d));
    }
    return AnyManifest(std::move(manifest));
  }
  return make_error(
    ErrorKind::invalid_input, "{}: unsupported manifest type {}", what, str::quote(type.empty() ? "(none)" : type));
}

Result<Descriptor>
select_platform(const Index& index, Arch arch, std::string_view what)
{
  const auto want = to_string(arch);
  std::vector<std::string> have;
  for (const auto& d : index.manifests) {
    if (!d.platform) {
      continue;
    }
    const auto& p = *d.platform;
    have.push_back(p.str());
    const bool variant_ok = p.variant.empty() || arch != Arch::arm64 || p.variant == "v8";
    if (p.os == "linux" && p.architecture == want && variant_ok) {
      return d;
    }
  }
  return make_error(ErrorKind::not_found,
                    "{} has no linux/{} image (it has {})",
                    what,
                    want,
                    have.empty() ? std::string("no platform entries") : str::join(have, ", "));
}

} // namespace ocne::image
