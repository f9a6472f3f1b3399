#include "pkg/image/disk_info.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/image/boot_config.hpp"
#include "pkg/image/guestfs_session.hpp"

namespace ocne::image {

namespace {

bool
mountable(const std::string& type)
{
  return type == "xfs" || type == "ext2" || type == "ext3" || type == "ext4" || type == "btrfs" || type == "vfat";
}

Status
read_boot_entries(GuestfsSession& g, const std::string& device, DiskInfo& info)
{
  for (const std::string dir : { "/loader/entries", "/boot/loader/entries" }) {
    if (!g.is_dir(dir)) {
      continue;
    }
    OCNE_TRY_ASSIGN(const auto files, g.glob(dir + "/*.conf"));
    for (const auto& f : files) {
      OCNE_TRY_ASSIGN(const auto text, g.read_file(f));
      BootEntryInfo e{ device, f, "", platform_id_of(text).value_or("") };
      for (const auto& line : str::split(text, '\n')) {
        if (str::starts_with(line, "options ")) {
          e.options = std::string(str::trim(line.substr(8)));
          break;
        }
      }
      info.boot_entries.push_back(std::move(e));
    }
    return {};
  }
  return {};
}

Status
find_machine_ids(GuestfsSession& g, const std::string& device, DiskInfo& info)
{
  OCNE_TRY_ASSIGN(auto paths, g.glob("/ostree/deploy/*/deploy/*/etc/machine-id"));
  if (g.exists("/etc/machine-id")) {
    paths.push_back("/etc/machine-id");
  }
  for (const auto& p : paths) {
    info.machine_ids.push_back(device + ":" + p);
  }
  return {};
}

} // namespace

Result<DiskInfo>
inspect_disk(const fs::Path& disk, DiskFormat format, const InspectOptions& options, ProgressSink& progress)
{
  const auto fail = [&](const Error& e) { return Error(e.kind(), fmt::format("{}: {}", disk.string(), e.message())); };
  ProgressTask task(progress, fmt::format("Reading {}", disk.filename().string()));
  OCNE_TRY_ASSIGN(auto g,
                  GuestfsSession::launch({ GuestDrive{ disk, std::string(to_string(format)), true } }).map_error(fail));
  DiskInfo info;
  OCNE_TRY_ASSIGN(const auto partitions, g->list_partitions().map_error(fail));
  for (const auto& device : partitions) {
    PartitionInfo p;
    p.device = device;
    p.number = g->partition_number(device).value_or(0);
    p.name = g->partition_name(device);
    p.fs_type = g->vfs_type(device);
    p.label = g->vfs_label(device);
    p.uuid = g->vfs_uuid(device);
    p.size = static_cast<std::uint64_t>(g->device_size(device).value_or(0));
    info.partitions.push_back(p);
    if (!mountable(p.fs_type)) {
      continue;
    }
    OCNE_TRY(g->mount(device, "/", true).map_error(fail));
    OCNE_TRY(read_boot_entries(*g, device, info).map_error(fail));
    if (p.fs_type != "vfat") {
      OCNE_TRY(find_machine_ids(*g, device, info).map_error(fail));
    }
    OCNE_TRY(g->umount_all().map_error(fail));
  }

  if (!options.path.empty()) {
    const PartitionInfo* chosen = nullptr;
    std::vector<std::string> labels;
    for (const auto& p : info.partitions) {
      if (!p.label.empty()) {
        labels.push_back(p.label);
      }
      const bool match = options.label.empty() ? p.label == "root" : p.label == options.label;
      if (match && mountable(p.fs_type)) {
        chosen = &p;
      }
    }
    if (chosen == nullptr) {
      return make_error(ErrorKind::not_found,
                        "{}: no file system is labelled {} (labels: {})",
                        disk.string(),
                        str::quote(options.label.empty() ? "root" : options.label),
                        labels.empty() ? std::string("none") : str::join(labels, ", "));
    }
    OCNE_TRY(g->mount(chosen->device, "/", true).map_error(fail));
    std::string path = options.path;
    if (!str::starts_with(path, "/")) {
      path = "/" + path;
    }
    if (!g->is_dir(path)) {
      if (!g->exists(path)) {
        return make_error(ErrorKind::not_found, "{}: {} has no {}", disk.string(), chosen->label, path);
      }
      info.listing.push_back(path);
    } else if (options.recursive) {
      OCNE_TRY_ASSIGN(const auto found, g->find(path).map_error(fail));
      const auto prefix = path == "/" ? std::string("/") : path + "/";
      for (const auto& f : found) {
        info.listing.push_back(prefix + f);
      }
    } else {
      OCNE_TRY_ASSIGN(auto names, g->list_dir(path).map_error(fail));
      const auto prefix = path == "/" ? std::string("/") : path + "/";
      for (const auto& n : names) {
        info.listing.push_back(prefix + n);
      }
    }
  }
  task.succeed();
  return info;
}

} // namespace ocne::image
