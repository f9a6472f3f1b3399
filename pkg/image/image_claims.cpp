#include "pkg/image/image_claims.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/arch.hpp"
#include "pkg/image/cache_stamp.hpp"

#include <algorithm>
#include <cctype>

namespace ocne::image {

namespace {

// "1.33" from "1.33", "v1.33" or "1.33.2"; "" otherwise.
std::string
minor_version(std::string_view text)
{
  if (str::starts_with(text, "v")) {
    text.remove_prefix(1);
  }
  const auto parts = str::split(text, '.');
  if (parts.size() < 2 || parts.size() > 3) {
    return {};
  }
  for (const auto& p : parts) {
    if (p.empty() || p.size() > 4 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
      return {};
    }
  }
  return parts[0] + "." + parts[1];
}

// The architecture of a recorded platform ("linux/arm64/v8" -> "arm64").
std::string
platform_arch(std::string_view platform)
{
  const auto parts = str::split(platform, '/');
  if (parts.size() < 2) {
    return {};
  }
  const auto arch = parse_arch(parts[1]);
  return arch ? std::string(to_string(*arch)) : parts[1];
}

} // namespace

std::string
tag_version(std::string_view tag)
{
  return minor_version(tag);
}

Status
check_tag_version(std::string_view tag, std::string_view version, std::string_view what)
{
  const auto named = tag_version(tag);
  const auto wanted = minor_version(version);
  if (named.empty() || wanted.empty() || named == wanted) {
    return {};
  }
  return make_error(ErrorKind::invalid_input,
                    "{} is tagged {}, which is Kubernetes {}, not {}: use a source for {} or set the version to {}",
                    what,
                    str::quote(tag),
                    named,
                    version,
                    wanted,
                    named);
}

Result<ImageClaims>
reconcile_claims(const ImageClaims& given,
                 std::string_view recorded_platform,
                 std::string_view recorded_version,
                 std::string_view file)
{
  ImageClaims out = given;
  const auto arch = platform_arch(recorded_platform);
  if (!arch.empty()) {
    if (!given.arch.empty() && given.arch != arch) {
      return make_error(ErrorKind::invalid_input,
                        "--arch {}: {} was built from a {} image (ocne's record of it says so); give --arch {}",
                        given.arch,
                        file,
                        recorded_platform,
                        arch);
    }
    out.arch = arch;
  }
  const auto recorded = minor_version(recorded_version);
  if (!recorded.empty()) {
    if (!given.version.empty() && minor_version(given.version) != recorded) {
      return make_error(ErrorKind::invalid_input,
                        "--version {}: {} holds Kubernetes {} (ocne's record of it says so); give --version {}",
                        given.version,
                        file,
                        recorded_version,
                        recorded_version);
    }
    out.version = std::string(recorded_version);
  }
  return out;
}

Result<ImageClaims>
claims_for_upload(const ImageClaims& given, const fs::Path& file)
{
  const auto stamp = read_stamp(file);
  if (!stamp) {
    return given;
  }
  OCNE_TRY_ASSIGN(const auto claims, reconcile_claims(given, stamp->platform, stamp->version, file.string()));
  if (given.arch.empty() && !claims.arch.empty()) {
    log::info("{} is an image for {} (from {})", file.string(), claims.arch, stamp_path(file).string());
  }
  if (given.version.empty() && !claims.version.empty()) {
    log::info("{} holds Kubernetes {} (from {})", file.string(), claims.version, stamp_path(file).string());
  }
  return claims;
}

} // namespace ocne::image
