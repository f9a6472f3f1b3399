#include "providers/libvirt/storage_ops.hpp"

#include "pkg/core/log.hpp"
#include "pkg/image/qcow2_header.hpp"
#include "pkg/libvirt/xml.hpp"

#include <unistd.h>

namespace ocne::providers::libvirt {

using ocne::libvirt::xml_escape;

VolumeWriter
stream_writer()
{
  return [](ocne::libvirt::Volume& volume,
            ocne::libvirt::ByteSource& source,
            ProgressSink& progress,
            std::string_view label) { return volume.upload(source, progress, label); };
}

std::string
default_pool_path(const ocne::libvirt::Uri& uri, const fs::Path& home)
{
  if (uri.is_local() && uri.path == "/session" && geteuid() != 0 && !home.empty()) {
    return (home / ".local/share/libvirt/images").string();
  }
  return "/var/lib/libvirt/images";
}

Result<PoolChoice>
ensure_pool(const ocne::libvirt::Connection& connection, const std::string& name, const std::string& default_path)
{
  OCNE_TRY_ASSIGN(auto pool, connection.find_pool(name));
  if (pool) {
    OCNE_TRY_ASSIGN(auto active, pool->is_active());
    if (!active) {
      log::info("Starting storage pool {}", name);
      OCNE_TRY(pool->start());
      OCNE_TRY(pool->set_autostart(true));
    }
    OCNE_TRY(pool->refresh());
    OCNE_TRY_ASSIGN(auto path, pool->target_path());
    return PoolChoice{ name, path, false };
  }
  OCNE_TRY_ASSIGN(auto all, connection.pools());
  for (auto& p : all) {
    auto active = p.is_active();
    auto path = p.target_path();
    if (active && *active && path && *path == default_path) {
      OCNE_TRY(p.refresh());
      return PoolChoice{ p.name(), *path, false };
    }
  }
  log::info("Creating storage pool {} at {}", name, default_path);
  const auto xml = fmt::format("<pool type='dir'><name>{}</name><target><path>{}</path>"
                               "<permissions><mode>0750</mode></permissions></target></pool>",
                               xml_escape(name),
                               xml_escape(default_path));
  auto fail = [&](const Error& e) {
    return make_error(e.kind(),
                      "cannot create storage pool {} at {} on {}: {}",
                      name,
                      default_path,
                      connection.uri().text,
                      e.message());
  };
  auto defined = connection.define_pool(xml);
  if (!defined) {
    return fail(defined.error());
  }
  auto built = defined->build();
  auto started = built ? defined->start() : built;
  if (!started) {
    (void)defined->undefine();
    return fail(started.error());
  }
  OCNE_TRY(defined->set_autostart(true));
  return PoolChoice{ name, default_path, true };
}

Result<BaseVolume>
ensure_base_volume(ocne::libvirt::Pool& pool,
                   const std::string& name,
                   const std::function<Result<fs::Path>()>& boot_image,
                   const VolumeWriter& writer,
                   ProgressSink& progress)
{
  OCNE_TRY_ASSIGN(auto existing, pool.find_volume(name));
  if (existing) {
    OCNE_TRY_ASSIGN(auto info, existing->info());
    OCNE_TRY_ASSIGN(auto path, existing->path());
    return BaseVolume{ name, path, info.capacity, false };
  }
  OCNE_TRY_ASSIGN(auto file, boot_image());
  auto qcow2 = image::check_qcow2(file, fmt::format("the boot image {}", file.string()));
  if (!qcow2) {
    return tl::unexpected(qcow2.error());
  }
  OCNE_TRY_ASSIGN(auto pool_info, pool.info());
  if (pool_info.available != 0 && pool_info.available < qcow2->file_size) {
    return make_error(ErrorKind::unavailable,
                      "storage pool {} has {} MiB free but the boot image {} needs {} MiB",
                      pool.name(),
                      pool_info.available >> 20,
                      file.string(),
                      (qcow2->file_size + (1 << 20) - 1) >> 20);
  }
  OCNE_TRY_ASSIGN(auto source, ocne::libvirt::FileSource::open(file));
  log::info("Uploading boot image {} to volume {} in pool {}", file.string(), name, pool.name());
  const auto xml = fmt::format("<volume><name>{}</name><capacity unit='bytes'>{}</capacity>"
                               "<target><format type='qcow2'/><permissions><mode>0644</mode></permissions>"
                               "</target></volume>",
                               xml_escape(name),
                               qcow2->virtual_size);
  OCNE_TRY_ASSIGN(auto volume, pool.create_volume(xml));
  if (auto written = writer(volume, source, progress, "Uploading " + name); !written) {
    if (auto removed = volume.remove(); !removed) {
      log::warn("could not remove the partial volume {}: {}", name, removed.error().message());
    }
    return tl::unexpected(written.error());
  }
  (void)pool.refresh();
  OCNE_TRY_ASSIGN(auto path, volume.path());
  return BaseVolume{ name, path, qcow2->virtual_size, true };
}

Result<ocne::libvirt::Volume>
create_overlay(ocne::libvirt::Pool& pool, const std::string& name, const BaseVolume& base, std::uint64_t capacity)
{
  const auto xml = fmt::format("<volume><name>{}</name><capacity unit='bytes'>{}</capacity>"
                               "<target><format type='qcow2'/><permissions><mode>0644</mode></permissions>"
                               "<compat>1.1</compat><clusterSize unit='KiB'>64</clusterSize></target>"
                               "<backingStore><path>{}</path><format type='qcow2'/></backingStore></volume>",
                               xml_escape(name),
                               capacity,
                               xml_escape(base.path));
  return pool.create_volume(xml);
}

Result<ocne::libvirt::Volume>
create_content_volume(ocne::libvirt::Pool& pool,
                      const std::string& name,
                      std::string_view content,
                      std::string_view what,
                      const VolumeWriter& writer,
                      ProgressSink& progress)
{
  const auto xml = fmt::format("<volume><name>{}</name><capacity unit='bytes'>{}</capacity>"
                               "<target><format type='raw'/><permissions><mode>0600</mode></permissions></target>"
                               "</volume>",
                               xml_escape(name),
                               content.size());
  OCNE_TRY_ASSIGN(auto volume, pool.create_volume(xml));
  ocne::libvirt::MemorySource source(content, std::string(what));
  OCNE_TRY(writer(volume, source, progress, "Writing " + name));
  return volume;
}

} // namespace ocne::providers::libvirt
