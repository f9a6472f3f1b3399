// Disks and their bulk import, snapshots and images: the part of Nexus (and
// of the Crucible pantry behind it) that image upload talks to.

#include "tests/servers/oxide/server_impl.hpp"

#include <fmt/format.h>

namespace ocne::test {

using namespace oxide_server;

namespace {

constexpr std::uint64_t k_gib = 1ULL << 30;
constexpr std::uint64_t k_max_chunk = 512 * 1024; // the pantry's MAX_CHUNK_SIZE
constexpr std::uint64_t k_max_disk = 1023 * k_gib;

int
b64_value(char c)
{
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

} // namespace

namespace oxide_server {

bool
base64_decode(const std::string& in, std::string& out)
{
  out.clear();
  if (in.size() % 4 != 0) {
    return false;
  }
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=') {
        // Padding only at the very end, in the last one or two places.
        if (i + 4 != in.size() || j < 2) {
          return false;
        }
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad > 0) {
        return false;
      }
      v[j] = b64_value(c);
      if (v[j] < 0) {
        return false;
      }
    }
    const std::uint32_t n = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out += static_cast<char>(n >> 16);
    if (pad < 2) {
      out += static_cast<char>((n >> 8) & 0xff);
    }
    if (pad < 1) {
      out += static_cast<char>(n & 0xff);
    }
  }
  return true;
}

json
disk_json(const Disk& d)
{
  json j = { { "id", d.id },
             { "name", d.name },
             { "description", d.description },
             { "block_size", d.block_size },
             { "device_path", "/mnt/" + d.name },
             { "disk_type", "distributed" },
             { "project_id", d.project_id },
             { "read_only", false },
             { "size", d.size },
             { "state", json{ { "state", d.state } } },
             { "time_created", d.time_created },
             { "time_modified", d.time_modified } };
  j["image_id"] = d.image_id.empty() ? json(nullptr) : json(d.image_id);
  j["snapshot_id"] = d.snapshot_id.empty() ? json(nullptr) : json(d.snapshot_id);
  return j;
}

json
snapshot_json(const Snapshot& s)
{
  const bool ready = Clock::now() >= s.ready_at;
  return json{ { "id", s.id },
               { "name", s.name },
               { "description", s.description },
               { "disk_id", s.disk_id },
               { "project_id", s.project_id },
               { "size", s.size },
               { "state", ready ? "ready" : "creating" },
               { "time_created", s.time_created },
               { "time_modified", s.time_modified } };
}

json
image_json(const Image& i)
{
  json j = { { "id", i.id },
             { "name", i.name },
             { "description", i.description },
             { "block_size", i.block_size },
             { "os", i.os },
             { "version", i.version },
             { "size", i.size },
             { "time_created", i.time_created },
             { "time_modified", i.time_modified } };
  if (!i.project_id.empty()) {
    j["project_id"] = i.project_id;
  }
  return j;
}

} // namespace oxide_server

void
OxideServer::Impl::register_disk_handlers()
{
  handlers["disk_list"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    refresh_states_locked();
    std::string scope;
    if (auto token = ctx.param("page_token"); token && !ctx.param("project")) {
      std::string sort;
      std::string last;
      decode_page_token(*token, sort, scope, last);
    } else {
      auto p = project_param(ctx, true);
      if (!p) {
        return tl::unexpected(p.error());
      }
      scope = (*p)->id;
    }
    std::vector<const Disk*> items;
    for (const auto& [id, d] : disks) {
      if (d.project_id == scope) {
        items.push_back(&d);
      }
    }
    return page<Disk>(ctx, items, scope, disk_json);
  };

  handlers["disk_create"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto p = project_param(ctx, true);
    if (!p) {
      return tl::unexpected(p.error());
    }
    if (auto ok = check_name(ctx.body.at("name"), "name"); !ok) {
      return tl::unexpected(ok.error());
    }
    const auto name = ctx.body.at("name").get<std::string>();
    for (const auto& [id, d] : disks) {
      if (d.project_id == (*p)->id && d.name == name) {
        return already_exists("disk", name);
      }
    }
    const auto& backend = ctx.body.at("disk_backend");
    if (backend.at("type") != "distributed") {
      return invalid_request("local disks are not supported by the ocne Oxide test server");
    }
    const auto& source = backend.at("disk_source");
    const auto type = source.at("type").get<std::string>();
    Disk d;
    d.id = new_uuid();
    d.name = name;
    d.description = ctx.body.value("description", "");
    d.project_id = (*p)->id;
    d.size = ctx.body.at("size").get<std::uint64_t>();
    d.time_created = d.time_modified = now_rfc3339();
    std::shared_ptr<BlockStore> from;
    std::uint64_t min_size = 0;
    if (type == "blank" || type == "importing_blocks") {
      d.block_size = source.at("block_size").get<std::uint32_t>();
    } else if (type == "snapshot") {
      auto it = snapshots.find(source.at("snapshot_id").get<std::string>());
      if (it == snapshots.end()) {
        return not_found("snapshot", source.at("snapshot_id").get<std::string>(), true);
      }
      d.block_size = it->second.block_size;
      d.snapshot_id = it->first;
      from = it->second.store;
      min_size = it->second.size;
    } else if (type == "image") {
      auto it = images.find(source.at("image_id").get<std::string>());
      if (it == images.end()) {
        return not_found("image", source.at("image_id").get<std::string>(), true);
      }
      d.block_size = it->second.block_size;
      d.image_id = it->first;
      from = it->second.store;
      min_size = it->second.size;
    } else {
      return invalid_request("unknown disk source \"" + type + "\"");
    }
    if (d.block_size != 512 && d.block_size != 2048 && d.block_size != 4096) {
      return invalid_value("block_size", "must be 512, 2048 or 4096");
    }
    // Nexus's size rules (nexus/src/app/disk.rs).
    if (d.size % d.block_size != 0) {
      return invalid_value("size", fmt::format("total size must be a multiple of block size {}", d.block_size));
    }
    if (d.size < k_gib) {
      return invalid_value("size", "total size must be at least 1 GiB");
    }
    if (d.size % k_gib != 0) {
      return invalid_value("size", "total size must be a multiple of 1 GiB");
    }
    if (d.size > k_max_disk) {
      return invalid_value("size", "total size must be at most 1023 GiB");
    }
    if (d.size < min_size) {
      return invalid_value("size", "disk size must be at least the size of its source");
    }
    if (type == "importing_blocks") {
      d.state = "creating";
      d.ready_at = Clock::now() + options.import_ready_delay;
      if (options.import_ready_delay.count() == 0) {
        d.state = "import_ready";
      }
    } else {
      d.state = "detached";
    }
    // Disks from a snapshot or image share its (never written) blocks.
    d.store = from ? from : std::make_shared<BlockStore>(options.storage_dir, d.size);
    disks[d.id] = d;
    return Reply{ 201, disk_json(d) };
  };

  handlers["disk_view"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    refresh_states_locked();
    auto d = child(disks, ctx, "disk", ctx.path("disk"));
    if (!d) {
      return tl::unexpected(d.error());
    }
    return Reply{ 200, disk_json(**d) };
  };

  handlers["disk_delete"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    refresh_states_locked();
    auto d = child(disks, ctx, "disk", ctx.path("disk"));
    if (!d) {
      return tl::unexpected(d.error());
    }
    if ((*d)->state != "detached" && (*d)->state != "faulted") {
      return invalid_request("disk cannot be deleted in state \"" + (*d)->state + "\"");
    }
    disks.erase((*d)->id);
    return Reply::no_content();
  };

  // The import state machine: import_ready -> importing_from_bulk_writes
  // -> import_ready -> finalized (detached).
  auto transition =
    [this](Ctx& ctx, const std::string& from, const std::string& to, const std::string& what) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    refresh_states_locked();
    auto d = child(disks, ctx, "disk", ctx.path("disk"));
    if (!d) {
      return tl::unexpected(d.error());
    }
    if ((*d)->state != from) {
      return invalid_request("cannot " + what + " for disk in state " + (*d)->state);
    }
    (*d)->state = to;
    (*d)->time_modified = now_rfc3339();
    return Reply::no_content();
  };
  handlers["disk_bulk_write_import_start"] = [transition](Ctx& ctx) {
    return transition(ctx, "import_ready", "importing_from_bulk_writes", "start bulk writes");
  };
  handlers["disk_bulk_write_import_stop"] = [transition](Ctx& ctx) {
    return transition(ctx, "importing_from_bulk_writes", "import_ready", "stop bulk writes");
  };

  handlers["disk_bulk_write_import"] = [this](Ctx& ctx) -> Outcome<Reply> {
    std::shared_ptr<BlockStore> store;
    std::uint64_t size = 0;
    std::uint32_t block = 512;
    std::string id;
    {
      const std::lock_guard lock(mutex);
      auto d = child(disks, ctx, "disk", ctx.path("disk"));
      if (!d) {
        return tl::unexpected(d.error());
      }
      if ((*d)->state != "importing_from_bulk_writes") {
        return invalid_request("cannot import blocks with a bulk write for disk in state " + (*d)->state);
      }
      store = (*d)->store;
      size = (*d)->size;
      block = (*d)->block_size;
      id = (*d)->id;
    }
    // Decoding and writing happen outside the lock so writers run in parallel.
    const auto offset = ctx.body.at("offset").get<std::uint64_t>();
    std::string data;
    if (!base64_decode(ctx.body.at("base64_encoded_data").get_ref<const std::string&>(), data)) {
      return invalid_request("error base64 decoding data");
    }
    if (data.size() > k_max_chunk) {
      return invalid_request(fmt::format("data len {} over max chunk size {}", data.size(), k_max_chunk));
    }
    if (offset % block != 0) {
      return invalid_request(fmt::format("offset {} is not aligned to the block size {}", offset, block));
    }
    if (data.size() % block != 0) {
      return invalid_request(fmt::format("data len {} is not a multiple of the block size {}", data.size(), block));
    }
    if (offset > size || data.size() > size - offset) {
      return invalid_request(fmt::format(
        "write of {} bytes at offset {} goes past the end of the disk ({} bytes)", data.size(), offset, size));
    }
    store->write(offset, data);
    {
      const std::lock_guard lock(mutex);
      if (auto it = disks.find(id); it != disks.end()) {
        it->second.bytes_written += data.size();
      }
    }
    return Reply::no_content();
  };

  handlers["disk_finalize_import"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    refresh_states_locked();
    auto d = child(disks, ctx, "disk", ctx.path("disk"));
    if (!d) {
      return tl::unexpected(d.error());
    }
    if ((*d)->state != "import_ready") {
      return invalid_request("cannot finalize disk in state " + (*d)->state);
    }
    const json name = ctx.body.is_object() ? ctx.body.value("snapshot_name", json(nullptr)) : json(nullptr);
    if (!name.is_null()) {
      if (auto ok = check_name(name, "snapshot_name"); !ok) {
        return tl::unexpected(ok.error());
      }
      for (const auto& [id, s] : snapshots) {
        if (s.project_id == (*d)->project_id && s.name == name.get<std::string>()) {
          return already_exists("snapshot", name.get<std::string>());
        }
      }
      Snapshot s;
      s.id = new_uuid();
      s.name = name.get<std::string>();
      s.description = "snapshot of disk " + (*d)->name;
      s.project_id = (*d)->project_id;
      s.disk_id = (*d)->id;
      s.size = (*d)->size;
      s.block_size = (*d)->block_size;
      s.store = (*d)->store;
      s.ready_at = Clock::now() + options.snapshot_ready_delay;
      s.time_created = s.time_modified = now_rfc3339();
      snapshots[s.id] = s;
    }
    (*d)->state = "detached";
    (*d)->time_modified = now_rfc3339();
    return Reply::no_content();
  };

  handlers["snapshot_list"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    std::string scope;
    if (auto token = ctx.param("page_token"); token && !ctx.param("project")) {
      std::string sort;
      std::string last;
      decode_page_token(*token, sort, scope, last);
    } else {
      auto p = project_param(ctx, true);
      if (!p) {
        return tl::unexpected(p.error());
      }
      scope = (*p)->id;
    }
    std::vector<const Snapshot*> items;
    for (const auto& [id, s] : snapshots) {
      if (s.project_id == scope) {
        items.push_back(&s);
      }
    }
    return page<Snapshot>(ctx, items, scope, snapshot_json);
  };

  handlers["snapshot_view"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto s = child(snapshots, ctx, "snapshot", ctx.path("snapshot"));
    if (!s) {
      return tl::unexpected(s.error());
    }
    return Reply{ 200, snapshot_json(**s) };
  };

  handlers["snapshot_delete"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto s = child(snapshots, ctx, "snapshot", ctx.path("snapshot"));
    if (!s) {
      return tl::unexpected(s.error());
    }
    snapshots.erase((*s)->id); // images made from it keep their own reference to the blocks
    return Reply::no_content();
  };

  // Images: a name with ?project= is a project image, a name without it a
  // silo image, an id must come without ?project=.
  auto find_image = [this](Ctx& ctx) -> Outcome<Image*> {
    const auto& key = ctx.path("image");
    const auto project = ctx.param("project");
    if (is_uuid(key)) {
      if (project) {
        return invalid_request("when providing image as an ID project should not be specified");
      }
      auto it = images.find(key);
      if (it == images.end()) {
        return not_found("image", key, true);
      }
      return &it->second;
    }
    std::string scope;
    if (project) {
      auto p = project_by_key(*project);
      if (!p) {
        return tl::unexpected(p.error());
      }
      scope = (*p)->id;
    }
    for (auto& [id, i] : images) {
      if (i.project_id == scope && i.name == key) {
        return &i;
      }
    }
    return not_found("image", key, false);
  };

  handlers["image_list"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    std::string scope;
    if (auto token = ctx.param("page_token"); token && !ctx.param("project")) {
      std::string sort;
      std::string last;
      decode_page_token(*token, sort, scope, last);
    } else {
      auto p = project_param(ctx, false);
      if (!p) {
        return tl::unexpected(p.error());
      }
      scope = *p == nullptr ? "" : (*p)->id;
    }
    std::vector<const Image*> items;
    for (const auto& [id, i] : images) {
      if (i.project_id == scope) {
        items.push_back(&i);
      }
    }
    return page<Image>(ctx, items, scope, image_json);
  };

  handlers["image_create"] = [this](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto p = project_param(ctx, false);
    if (!p) {
      return tl::unexpected(p.error());
    }
    const std::string scope = *p == nullptr ? "" : (*p)->id;
    if (auto ok = check_name(ctx.body.at("name"), "name"); !ok) {
      return tl::unexpected(ok.error());
    }
    const auto name = ctx.body.at("name").get<std::string>();
    for (const auto& [id, i] : images) {
      if (i.project_id == scope && i.name == name) {
        return already_exists("image", name);
      }
    }
    const auto& source = ctx.body.at("source");
    const auto snapshot_id = source.at("id").get<std::string>();
    auto it = snapshots.find(snapshot_id);
    if (it == snapshots.end()) {
      return not_found("snapshot", snapshot_id, true);
    }
    if (Clock::now() < it->second.ready_at) {
      return invalid_request("snapshot " + it->second.name + " is not ready yet");
    }
    if (!scope.empty() && it->second.project_id != scope) {
      return invalid_request("snapshot " + it->second.name + " belongs to another project");
    }
    Image i;
    i.id = new_uuid();
    i.name = name;
    i.description = ctx.body.at("description").get<std::string>();
    i.os = ctx.body.at("os").get<std::string>();
    i.version = ctx.body.at("version").get<std::string>();
    i.project_id = scope;
    i.size = it->second.size;
    i.block_size = it->second.block_size;
    i.store = it->second.store;
    i.time_created = i.time_modified = now_rfc3339();
    images[i.id] = i;
    return Reply{ 201, image_json(i) };
  };

  handlers["image_view"] = [this, find_image](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto i = find_image(ctx);
    if (!i) {
      return tl::unexpected(i.error());
    }
    return Reply{ 200, image_json(**i) };
  };

  handlers["image_delete"] = [this, find_image](Ctx& ctx) -> Outcome<Reply> {
    const std::lock_guard lock(mutex);
    auto i = find_image(ctx);
    if (!i) {
      return tl::unexpected(i.error());
    }
    images.erase((*i)->id);
    return Reply::no_content();
  };
}

} // namespace ocne::test
