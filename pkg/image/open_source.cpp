#include "pkg/core/strings.hpp"
#include "pkg/image/image_source.hpp"
#include "pkg/image/tar_storage.hpp"

#include <sys/stat.h>

namespace ocne::image {

namespace {

// "PATH[:REST]" split at the first colon, as containers/image does for its
// file transports (so paths cannot contain ':').
std::pair<std::string, std::string>
split_path(std::string_view value)
{
  const auto colon = value.find(':');
  if (colon == std::string_view::npos) {
    return { std::string(value), {} };
  }
  return { std::string(value.substr(0, colon)), std::string(value.substr(colon + 1)) };
}

bool
looks_like_path(std::string_view s)
{
  return str::starts_with(s, "/") || str::starts_with(s, "./") || str::starts_with(s, "../") ||
         str::starts_with(s, "~") || s == "." || s == "..";
}

// A file or folder given without a transport: an OCI layout folder, or a tar
// holding an OCI layout or a docker-archive.
Result<std::unique_ptr<ImageSource>>
detect(const fs::Path& path, std::string_view spec)
{
  struct stat st
  {};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error(ErrorKind::not_found, "image source {}: {}", str::quote(spec), fs::errno_message(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    if (::stat((path / "oci-layout").c_str(), &st) != 0) {
      return make_error(ErrorKind::invalid_input,
                        "image source {}: the folder is not an OCI image layout (it has no oci-layout file)",
                        str::quote(spec));
    }
    return oci_layout_source(path, "");
  }
  OCNE_TRY_ASSIGN(auto storage, tar_storage(path).map_error([&](const Error& e) {
    return Error(
      ErrorKind::invalid_input,
      fmt::format("image source {}: not an OCI archive or a docker-archive ({})", str::quote(spec), e.message()));
  }));
  if (storage->size("oci-layout")) {
    return make_oci_layout_source(std::move(storage), "oci-archive:" + path.string(), "");
  }
  if (storage->size("manifest.json")) {
    return make_docker_archive_source(std::move(storage), "docker-archive:" + path.string(), "");
  }
  return make_error(ErrorKind::invalid_input,
                    "image source {}: the tar holds neither an OCI layout (oci-layout) nor a docker-archive "
                    "(manifest.json)",
                    str::quote(spec));
}

} // namespace

Result<std::unique_ptr<ImageSource>>
open_source(std::string_view spec, const SourceOptions& options)
{
  const auto resolve = [&](const std::string& p) { return fs::resolve_path(p, options.cwd, options.home); };
  const auto need_path = [&](const std::string& p, std::string_view transport) -> Status {
    if (p.empty()) {
      return make_error(ErrorKind::invalid_input, "image source {}: {} needs a path", str::quote(spec), transport);
    }
    struct stat st
    {};
    if (::stat(resolve(p).c_str(), &st) != 0) {
      return make_error(ErrorKind::not_found,
                        "image source {}: {}: {}",
                        str::quote(spec),
                        resolve(p).string(),
                        fs::errno_message(errno));
    }
    return {};
  };
  if (str::starts_with(spec, "oci:")) {
    auto [path, tag] = split_path(spec.substr(4));
    OCNE_TRY(need_path(path, "oci:"));
    return oci_layout_source(resolve(path), std::move(tag));
  }
  if (str::starts_with(spec, "oci-archive:")) {
    auto [path, tag] = split_path(spec.substr(12));
    OCNE_TRY(need_path(path, "oci-archive:"));
    return oci_archive_source(resolve(path), std::move(tag));
  }
  if (str::starts_with(spec, "docker-archive:")) {
    auto [path, ref] = split_path(spec.substr(15));
    OCNE_TRY(need_path(path, "docker-archive:"));
    return docker_archive_source(resolve(path), std::move(ref));
  }
  if (spec.find("://") == std::string_view::npos && !spec.empty()) {
    const auto path = resolve(std::string(spec));
    struct stat st
    {};
    if (looks_like_path(spec) || ::stat(path.c_str(), &st) == 0) {
      return detect(path, spec);
    }
  }
  OCNE_TRY_ASSIGN(auto ref, parse_reference(spec));
  return registry_source(std::move(ref), options);
}

} // namespace ocne::image
