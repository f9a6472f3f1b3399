#include "pkg/image/platform_check.hpp"

#include "pkg/core/strings.hpp"

#include <nlohmann/json.hpp>

namespace ocne::image {

namespace {

bool
says_something(const Platform& p)
{
  return !p.os.empty() || !p.architecture.empty();
}

// "linux/amd64"; an absent part shows as "?".
std::string
shown(const Platform& p)
{
  Platform out = p;
  out.os = p.os.empty() ? "?" : p.os;
  out.architecture = p.architecture.empty() ? "?" : p.architecture;
  return out.str();
}

// Whether p (where it says anything) is linux/<arch>. arm64 also matches
// variant v8, as in select_platform.
bool
matches(const Platform& p, Arch arch)
{
  if (!p.os.empty() && p.os != "linux") {
    return false;
  }
  if (!p.architecture.empty()) {
    const auto a = parse_arch(p.architecture);
    if (!a || *a != arch) {
      return false;
    }
  }
  return p.variant.empty() || arch != Arch::arm64 || p.variant == "v8";
}

// Whether two platforms say the same where both say something.
bool
agree(const Platform& a, const Platform& b)
{
  if (!a.os.empty() && !b.os.empty() && a.os != b.os) {
    return false;
  }
  if (!a.architecture.empty() && !b.architecture.empty()) {
    const auto x = parse_arch(a.architecture);
    const auto y = parse_arch(b.architecture);
    return x && y ? *x == *y : a.architecture == b.architecture;
  }
  return true;
}

} // namespace

Result<Platform>
config_platform(std::string_view config_json, std::string_view what)
{
  try {
    const auto j = nlohmann::json::parse(config_json);
    Platform p;
    if (j.is_object()) {
      for (auto [key, field] :
           { std::pair{ "os", &p.os }, { "architecture", &p.architecture }, { "variant", &p.variant } }) {
        if (const auto it = j.find(key); it != j.end() && it->is_string()) {
          *field = it->get<std::string>();
        }
      }
    }
    return p;
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorKind::invalid_input, "{}: the image config is not valid JSON: {}", what, e.what());
  }
}

Result<std::string>
check_platform(const std::optional<Platform>& entry, const Platform& config, Arch arch, std::string_view what)
{
  const auto want = fmt::format("linux/{}", to_string(arch));
  const bool have_entry = entry && says_something(*entry);
  const bool have_config = says_something(config);
  if (have_entry && have_config && !agree(*entry, config)) {
    return make_error(ErrorKind::invalid_input,
                      "{}: its index entry says {} but its image config says {}; refusing an image whose platform is "
                      "unclear",
                      what,
                      shown(*entry),
                      shown(config));
  }
  if (have_entry && !matches(*entry, arch)) {
    return make_error(
      ErrorKind::not_found, "{} is a {} image (its index entry says so), not {}", what, shown(*entry), want);
  }
  if (have_config && !matches(config, arch)) {
    return make_error(
      ErrorKind::not_found, "{} is a {} image (its image config says so), not {}", what, shown(config), want);
  }
  if (!have_entry && !have_config) {
    return make_error(ErrorKind::invalid_input,
                      "{}: neither an index entry nor the image config says which platform the image is for, so it "
                      "cannot be used as {}",
                      what,
                      want);
  }
  // What the image says about itself, filled in from the request where it
  // is silent (a config with an architecture but no os).
  Platform out = have_entry ? *entry : config;
  if (out.os.empty()) {
    out.os = "linux";
  }
  if (out.architecture.empty()) {
    out.architecture = std::string(to_string(arch));
  }
  return out.str();
}

bool
platform_is(std::string_view platform, Arch arch)
{
  const auto parts = str::split(platform, '/');
  if (parts.size() < 2 || parts.size() > 3) {
    return false;
  }
  return matches(Platform{ parts[0], parts[1], parts.size() == 3 ? parts[2] : "" }, arch) && !parts[0].empty() &&
         !parts[1].empty();
}

} // namespace ocne::image
