#include "pkg/image/cache_stamp.hpp"

#include "pkg/core/log.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <ctime>

namespace ocne::image {

using nlohmann::json;

fs::Path
stamp_path(const fs::Path& file)
{
  return file.string() + ".ocne.json";
}

std::optional<CacheStamp>
read_stamp(const fs::Path& file)
{
  const auto path = stamp_path(file);
  auto text = fs::read_file(path, 1 << 20);
  if (!text) {
    return std::nullopt;
  }
  try {
    const auto j = json::parse(*text);
    CacheStamp s;
    s.source = j.value("source", "");
    s.manifest_digest = j.value("manifestDigest", "");
    s.layer_digest = j.value("layerDigest", "");
    s.platform = j.value("platform", "");
    s.version = j.value("version", "");
    s.size = j.value("size", std::uint64_t{ 0 });
    s.created = j.value("created", "");
    s.type = j.value("type", "");
    s.platform_id = j.value("platformId", "");
    s.kernel_args = j.value("kernelArgs", "");
    s.recipe = j.value("recipe", 0);
    if (const auto u = j.find("uuids"); u != j.end() && u->is_object()) {
      s.uuids = u->get<std::map<std::string, std::string>>();
    }
    return s;
  } catch (const json::exception& e) {
    log::debug("{}: ignoring an unreadable cache stamp: {}", path.string(), e.what());
    return std::nullopt;
  }
}

Status
write_stamp(const fs::Path& file, const CacheStamp& s)
{
  json j = { { "source", s.source },
             { "manifestDigest", s.manifest_digest },
             { "layerDigest", s.layer_digest },
             { "platform", s.platform },
             { "version", s.version },
             { "size", s.size },
             { "created", s.created } };
  if (!s.type.empty()) {
    j["type"] = s.type;
    j["platformId"] = s.platform_id;
    j["kernelArgs"] = s.kernel_args;
    j["recipe"] = s.recipe;
    j["uuids"] = s.uuids;
  }
  return fs::write_file_atomic(stamp_path(file), j.dump(2) + "\n", fs::k_public);
}

Status
remove_stamp(const fs::Path& file)
{
  return fs::remove_file(stamp_path(file));
}

bool
stamp_matches_file(const fs::Path& file, const CacheStamp& stamp)
{
  struct stat st
  {};
  return ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) == stamp.size;
}

std::string
now_rfc3339()
{
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace ocne::image
