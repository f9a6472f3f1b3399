// Images, snapshots, disks and the bulk import of disk blocks.

#include "pkg/oxide/base64.hpp"
#include "pkg/oxide/client_impl.hpp"

namespace ocne::oxide {

namespace {

std::string
q(const std::string& s)
{
  return "\"" + s + "\"";
}

std::string
in_project(const std::string& project)
{
  return project.empty() ? " (silo)" : " in project " + q(project);
}

// A 404 as "absent", anything else as the error.
template<typename T>
Result<std::optional<T>>
optional_of(Result<T> r)
{
  if (r) {
    return std::optional<T>(std::move(*r));
  }
  if (r.error().kind() == ErrorKind::not_found) {
    return std::optional<T>();
  }
  return make_error(std::move(r).error());
}

} // namespace

Result<std::vector<Image>>
Client::list_images(const std::string& project)
{
  const std::string what = "list images" + in_project(project);
  http::QueryParams query;
  if (!project.empty()) {
    query.emplace_back("project", project);
  }
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/images", query, what));
  return decode_all<Image>(items, image_from, what);
}

Result<Image>
Client::get_image(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "look up image " + q(name_or_id) + in_project(project);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .path = "/v1/images/" + http::url_encode(name_or_id),
                                     .query = selector(project, name_or_id),
                                     .idempotent = true,
                                     .what = what }));
  return decode<Image>(j, image_from, what);
}

Result<std::optional<Image>>
Client::find_image(const std::string& project, const std::string& name)
{
  return optional_of(get_image(project, name));
}

Result<Image>
Client::create_image(const std::string& project, const ImageCreate& image)
{
  const std::string what = "create image " + q(image.name) + in_project(project);
  http::QueryParams query;
  if (!project.empty()) {
    query.emplace_back("project", project);
  }
  const json body = { { "name", image.name },
                      { "description", image.description },
                      { "os", image.os },
                      { "version", image.version },
                      { "source", { { "type", "snapshot" }, { "id", image.snapshot_id } } } };
  // Retried like an idempotent call; a retry that finds the image already
  // made by the first attempt adopts it.
  const Call c{
    .method = "POST", .path = "/v1/images", .query = query, .body = body.dump(), .idempotent = true, .what = what
  };
  OCNE_TRY_ASSIGN(const auto a, m_impl->send(c));
  if (a.ok()) {
    OCNE_TRY_ASSIGN(const auto j, parse_answer(a.body, what));
    return decode<Image>(j, image_from, what);
  }
  auto error = m_impl->api_error(c, a);
  if (error.kind() == ErrorKind::already_exists && a.attempts > 1) {
    auto existing = get_image(project, image.name);
    if (existing && existing->description == image.description) {
      return existing;
    }
  }
  return make_error(std::move(error));
}

Status
Client::delete_image(const std::string& project, const std::string& name_or_id)
{
  OCNE_TRY(m_impl->call(Call{ .method = "DELETE",
                              .path = "/v1/images/" + http::url_encode(name_or_id),
                              .query = selector(project, name_or_id),
                              .idempotent = true,
                              .what = "delete image " + q(name_or_id) + in_project(project) }));
  return {};
}

Result<std::vector<Snapshot>>
Client::list_snapshots(const std::string& project)
{
  const std::string what = "list snapshots" + in_project(project);
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/snapshots", { { "project", project } }, what));
  return decode_all<Snapshot>(items, snapshot_from, what);
}

Result<Snapshot>
Client::get_snapshot(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "look up snapshot " + q(name_or_id) + in_project(project);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .path = "/v1/snapshots/" + http::url_encode(name_or_id),
                                     .query = selector(project, name_or_id),
                                     .idempotent = true,
                                     .what = what }));
  return decode<Snapshot>(j, snapshot_from, what);
}

Result<std::optional<Snapshot>>
Client::find_snapshot(const std::string& project, const std::string& name)
{
  return optional_of(get_snapshot(project, name));
}

Status
Client::delete_snapshot(const std::string& project, const std::string& name_or_id)
{
  OCNE_TRY(m_impl->call(Call{ .method = "DELETE",
                              .path = "/v1/snapshots/" + http::url_encode(name_or_id),
                              .query = selector(project, name_or_id),
                              .idempotent = true,
                              .what = "delete snapshot " + q(name_or_id) + in_project(project) }));
  return {};
}

Result<std::vector<Disk>>
Client::list_disks(const std::string& project)
{
  const std::string what = "list disks" + in_project(project);
  OCNE_TRY_ASSIGN(const auto items, m_impl->list("/v1/disks", { { "project", project } }, what));
  return decode_all<Disk>(items, disk_from, what);
}

Result<Disk>
Client::get_disk(const std::string& project, const std::string& name_or_id)
{
  const std::string what = "look up disk " + q(name_or_id) + in_project(project);
  OCNE_TRY_ASSIGN(const auto j,
                  m_impl->call(Call{ .path = "/v1/disks/" + http::url_encode(name_or_id),
                                     .query = selector(project, name_or_id),
                                     .idempotent = true,
                                     .what = what }));
  return decode<Disk>(j, disk_from, what);
}

Result<std::optional<Disk>>
Client::find_disk(const std::string& project, const std::string& name)
{
  return optional_of(get_disk(project, name));
}

Result<Disk>
Client::create_import_disk(const std::string& project,
                           const std::string& name,
                           const std::string& description,
                           std::uint64_t size,
                           std::uint32_t block_size)
{
  const std::string what = "create disk " + q(name) + in_project(project);
  const json body = { { "name", name },
                      { "description", description },
                      { "size", size },
                      { "disk_backend",
                        { { "type", "distributed" },
                          { "disk_source", { { "type", "importing_blocks" }, { "block_size", block_size } } } } } };
  const Call c{ .method = "POST",
                .path = "/v1/disks",
                .query = { { "project", project } },
                .body = body.dump(),
                .idempotent = true,
                .what = what };
  OCNE_TRY_ASSIGN(const auto a, m_impl->send(c));
  if (a.ok()) {
    OCNE_TRY_ASSIGN(const auto j, parse_answer(a.body, what));
    return decode<Disk>(j, disk_from, what);
  }
  auto error = m_impl->api_error(c, a);
  // An earlier attempt created it and its answer was lost: adopt the disk
  // when it is the one we asked for.
  if (error.kind() == ErrorKind::already_exists && a.attempts > 1) {
    auto existing = get_disk(project, name);
    if (existing && existing->description == description && existing->size == size) {
      return existing;
    }
  }
  return make_error(std::move(error));
}

Status
Client::delete_disk(const std::string& project, const std::string& name_or_id)
{
  OCNE_TRY(m_impl->call(Call{ .method = "DELETE",
                              .path = "/v1/disks/" + http::url_encode(name_or_id),
                              .query = selector(project, name_or_id),
                              .idempotent = true,
                              .what = "delete disk " + q(name_or_id) + in_project(project) }));
  return {};
}

namespace {

// A state change that a lost answer may already have made: on a 400 after
// retries, the disk being in the wanted state counts as success.
Status
transition(Client& client,
           Client::Impl& impl,
           const std::string& disk_id,
           const std::string& action,
           const std::optional<std::string>& body,
           const std::string& wanted_state,
           const std::string& what)
{
  const Call c{
    .method = "POST", .path = "/v1/disks/" + disk_id + "/" + action, .body = body, .idempotent = true, .what = what
  };
  OCNE_TRY_ASSIGN(const auto a, impl.send(c));
  if (a.ok()) {
    return {};
  }
  auto error = impl.api_error(c, a);
  if (a.status == 400 && a.attempts > 1) {
    auto disk = client.get_disk("", disk_id);
    if (disk && disk->state == wanted_state) {
      return {};
    }
  }
  return make_error(std::move(error));
}

} // namespace

Status
Client::bulk_write_start(const std::string& disk_id)
{
  return transition(*this,
                    *m_impl,
                    disk_id,
                    "bulk-write-start",
                    std::nullopt,
                    "importing_from_bulk_writes",
                    "start the import into disk " + disk_id);
}

Status
Client::bulk_write_stop(const std::string& disk_id)
{
  return transition(
    *this, *m_impl, disk_id, "bulk-write-stop", std::nullopt, "import_ready", "stop the import into disk " + disk_id);
}

Status
Client::finalize_disk(const std::string& disk_id, const std::optional<std::string>& snapshot_name)
{
  json body = json::object();
  if (snapshot_name) {
    body["snapshot_name"] = *snapshot_name;
  }
  return transition(
    *this, *m_impl, disk_id, "finalize", body.dump(), "detached", "finalize the import into disk " + disk_id);
}

Status
Client::bulk_write(const std::string& disk_id, std::uint64_t offset, std::span<const char> data)
{
  // Built by hand: the payload is ~700 KB of base64 and needs no escaping.
  std::string body;
  body.reserve(base64_length(data.size()) + 64);
  body += "{\"offset\":";
  body += std::to_string(offset);
  body += ",\"base64_encoded_data\":\"";
  base64_append(data, body);
  body += "\"}";
  // Writing the same bytes at the same offset twice is harmless.
  OCNE_TRY(m_impl->call(Call{ .method = "POST",
                              .path = "/v1/disks/" + disk_id + "/bulk-write",
                              .body = std::move(body),
                              .idempotent = true,
                              .what = "write " + std::to_string(data.size()) + " bytes at offset " +
                                      std::to_string(offset) + " of disk " + disk_id }));
  return {};
}

} // namespace ocne::oxide
