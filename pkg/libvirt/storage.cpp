#include "pkg/libvirt/storage.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/libvirt/error.hpp"
#include "pkg/libvirt/stats.hpp"
#include "pkg/libvirt/stream.hpp"
#include "pkg/libvirt/xml.hpp"

#include <libvirt/libvirt.h>

#include <cstdlib>
#include <vector>

namespace ocne::libvirt {

namespace {

std::string
take_string(char* text)
{
  std::string out = text != nullptr ? text : "";
  std::free(text);
  return out;
}

Result<Stream>
new_stream(virConnectPtr conn)
{
  virStreamPtr stream = conn != nullptr ? virStreamNew(conn, 0) : nullptr;
  if (stream == nullptr) {
    return tl::unexpected(last_error("cannot open a libvirt stream"));
  }
  return Stream(detail::Owned<_virStream>(stream));
}

} // namespace

Volume::Volume(detail::Owned<_virStorageVol> handle) : m_handle(std::move(handle))
{
  const char* name = virStorageVolGetName(m_handle.get());
  m_name = name != nullptr ? name : "";
}

Result<std::string>
Volume::path() const
{
  CallTimer timer;
  char* path = virStorageVolGetPath(m_handle.get());
  if (path == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot get the path of volume {}", m_name)));
  }
  return take_string(path);
}

Result<std::string>
Volume::xml() const
{
  CallTimer timer;
  char* xml = virStorageVolGetXMLDesc(m_handle.get(), 0);
  if (xml == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot describe volume {}", m_name)));
  }
  return take_string(xml);
}

Result<VolumeInfo>
Volume::info() const
{
  CallTimer timer;
  virStorageVolInfo raw{};
  if (virStorageVolGetInfo(m_handle.get(), &raw) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read volume {}", m_name)));
  }
  return VolumeInfo{ raw.capacity, raw.allocation };
}

Status
Volume::remove()
{
  CallTimer timer;
  if (virStorageVolDelete(m_handle.get(), 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot delete volume {}", m_name)));
  }
  return {};
}

Status
Volume::upload(ByteSource& source, ProgressSink& progress, std::string_view label)
{
  CallTimer timer;
  const std::uint64_t total = source.size();
  ProgressTask task(progress, std::string(label), total);
  auto stream = new_stream(virStorageVolGetConnect(m_handle.get()));
  if (!stream) {
    task.fail(stream.error().message());
    return tl::unexpected(stream.error());
  }
  if (virStorageVolUpload(m_handle.get(), stream->raw(), 0, total, 0) < 0) {
    auto error = last_error(fmt::format("cannot upload {} to volume {}", source.describe(), m_name));
    task.fail(error.message());
    return tl::unexpected(std::move(error));
  }
  std::vector<char> buffer(1 << 20);
  std::uint64_t sent = 0;
  while (sent < total) {
    if (interrupted()) {
      stream->abort();
      task.fail("interrupted");
      return make_error(ErrorKind::cancelled, "upload of {} to volume {} interrupted", source.describe(), m_name);
    }
    auto got = source.read(buffer.data(), buffer.size());
    if (!got || *got == 0) {
      stream->abort();
      auto error =
        got ? Error(ErrorKind::io, fmt::format("{} ended after {} of {} bytes", source.describe(), sent, total))
            : got.error();
      task.fail(error.message());
      return tl::unexpected(error.with_context(fmt::format("upload to volume {} stopped", m_name)));
    }
    if (auto sentnow = stream->send(std::string_view(buffer.data(), *got)); !sentnow) {
      stream->abort();
      task.fail(sentnow.error().message());
      return tl::unexpected(sentnow.error().with_context(fmt::format("upload to volume {} stopped", m_name)));
    }
    sent += *got;
    task.set_done(sent);
  }
  if (auto finished = stream->finish(); !finished) {
    task.fail(finished.error().message());
    return tl::unexpected(finished.error().with_context(fmt::format("upload to volume {}", m_name)));
  }
  task.succeed();
  return {};
}

Result<std::string>
Volume::download(std::uint64_t max_size)
{
  CallTimer timer;
  auto stream = new_stream(virStorageVolGetConnect(m_handle.get()));
  if (!stream) {
    return tl::unexpected(stream.error());
  }
  if (virStorageVolDownload(m_handle.get(), stream->raw(), 0, 0, 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot download volume {}", m_name)));
  }
  std::string out;
  while (true) {
    auto chunk = stream->receive();
    if (!chunk) {
      stream->abort();
      return tl::unexpected(chunk.error());
    }
    if (chunk->empty()) {
      break;
    }
    out += *chunk;
    if (out.size() > max_size) {
      stream->abort();
      return make_error(ErrorKind::io, "volume {} is larger than {} bytes", m_name, max_size);
    }
  }
  OCNE_TRY(stream->finish());
  return out;
}

Pool::Pool(detail::Owned<_virStoragePool> handle) : m_handle(std::move(handle))
{
  const char* name = virStoragePoolGetName(m_handle.get());
  m_name = name != nullptr ? name : "";
}

Result<bool>
Pool::is_active() const
{
  CallTimer timer;
  const int active = virStoragePoolIsActive(m_handle.get());
  if (active < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read storage pool {}", m_name)));
  }
  return active == 1;
}

Result<PoolInfo>
Pool::info() const
{
  CallTimer timer;
  virStoragePoolInfo raw{};
  if (virStoragePoolGetInfo(m_handle.get(), &raw) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot read storage pool {}", m_name)));
  }
  return PoolInfo{ raw.state == VIR_STORAGE_POOL_RUNNING, raw.capacity, raw.allocation, raw.available };
}

Result<std::string>
Pool::xml() const
{
  CallTimer timer;
  char* xml = virStoragePoolGetXMLDesc(m_handle.get(), 0);
  if (xml == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot describe storage pool {}", m_name)));
  }
  return take_string(xml);
}

Result<std::string>
Pool::target_path() const
{
  CallTimer timer;
  OCNE_TRY_ASSIGN(auto text, xml());
  OCNE_TRY_ASSIGN(auto doc, XmlDoc::parse(text, fmt::format("the description of storage pool {}", m_name)));
  return doc.text("/pool/target/path").value_or("");
}

Status
Pool::build()
{
  CallTimer timer;
  if (virStoragePoolBuild(m_handle.get(), 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot build storage pool {}", m_name)));
  }
  return {};
}

Status
Pool::start()
{
  CallTimer timer;
  if (virStoragePoolCreate(m_handle.get(), 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot start storage pool {}", m_name)));
  }
  return {};
}

Status
Pool::set_autostart(bool autostart)
{
  CallTimer timer;
  if (virStoragePoolSetAutostart(m_handle.get(), autostart ? 1 : 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot set autostart on storage pool {}", m_name)));
  }
  return {};
}

Status
Pool::refresh()
{
  CallTimer timer;
  if (virStoragePoolRefresh(m_handle.get(), 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot refresh storage pool {}", m_name)));
  }
  return {};
}

Status
Pool::stop()
{
  CallTimer timer;
  if (virStoragePoolDestroy(m_handle.get()) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot stop storage pool {}", m_name)));
  }
  return {};
}

Status
Pool::undefine()
{
  CallTimer timer;
  if (virStoragePoolUndefine(m_handle.get()) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot undefine storage pool {}", m_name)));
  }
  return {};
}

Status
Pool::delete_storage()
{
  CallTimer timer;
  if (virStoragePoolDelete(m_handle.get(), 0) < 0) {
    return tl::unexpected(last_error(fmt::format("cannot delete the storage of pool {}", m_name)));
  }
  return {};
}

Result<std::optional<Volume>>
Pool::find_volume(std::string_view name) const
{
  CallTimer timer;
  const std::string n(name);
  virStorageVolPtr vol = virStorageVolLookupByName(m_handle.get(), n.c_str());
  if (vol == nullptr) {
    auto error = last_error(fmt::format("cannot look up volume {} in storage pool {}", name, m_name));
    if (error.kind() == ErrorKind::not_found) {
      return std::optional<Volume>();
    }
    return tl::unexpected(std::move(error));
  }
  return std::optional<Volume>(Volume(detail::Owned<_virStorageVol>(vol)));
}

Result<std::vector<std::string>>
Pool::volume_names() const
{
  CallTimer timer;
  virStorageVolPtr* vols = nullptr;
  const int n = virStoragePoolListAllVolumes(m_handle.get(), &vols, 0);
  if (n < 0) {
    return tl::unexpected(last_error(fmt::format("cannot list the volumes of storage pool {}", m_name)));
  }
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const char* name = virStorageVolGetName(vols[i]);
    out.emplace_back(name != nullptr ? name : "");
    virStorageVolFree(vols[i]);
  }
  std::free(vols);
  return out;
}

Result<Volume>
Pool::create_volume(std::string_view xml)
{
  CallTimer timer;
  const std::string text(xml);
  virStorageVolPtr vol = virStorageVolCreateXML(m_handle.get(), text.c_str(), 0);
  if (vol == nullptr) {
    return tl::unexpected(last_error(fmt::format("cannot create a volume in storage pool {}", m_name)));
  }
  return Volume(detail::Owned<_virStorageVol>(vol));
}

} // namespace ocne::libvirt
