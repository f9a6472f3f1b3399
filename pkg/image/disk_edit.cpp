#include "pkg/image/disk_edit.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/image/boot_config.hpp"
#include "pkg/image/guestfs_session.hpp"

#include <set>

namespace ocne::image {

namespace {

enum class FileKind { boot_entry, uuid_refs };

struct GuestFile
{
  std::string path;
  FileKind kind;
  std::string content;
};

// What one file system holds that the edit cares about.
struct FileSystem
{
  std::string device;
  std::string type;
  std::string uuid;
  std::vector<GuestFile> files;
  std::vector<std::string> roots; // system roots: "/" or ostree deployments
};

bool
linux_fs(const std::string& type)
{
  return type == "xfs" || type == "ext2" || type == "ext3" || type == "ext4" || type == "btrfs";
}

std::string
join_path(const std::string& root, const std::string& rel)
{
  return root == "/" ? "/" + rel : root + "/" + rel;
}

// Looks at a mounted file system and reads the files it will edit.
Status
survey(GuestfsSession& g, FileSystem& fs)
{
  const auto add_files = [&](const std::vector<std::string>& paths, FileKind kind) -> Status {
    for (const auto& p : paths) {
      if (!g.is_file(p)) {
        continue;
      }
      OCNE_TRY_ASSIGN(auto content, g.read_file(p));
      fs.files.push_back(GuestFile{ p, kind, std::move(content) });
    }
    return {};
  };
  for (const std::string dir : { "/loader/entries", "/boot/loader/entries" }) {
    if (g.is_dir(dir)) {
      OCNE_TRY_ASSIGN(const auto entries, g.glob(dir + "/*.conf"));
      OCNE_TRY(add_files(entries, FileKind::boot_entry));
      break;
    }
  }
  OCNE_TRY(
    add_files({ "/grub2/grub.cfg", "/grub/grub.cfg", "/grub2/grubenv", "/boot/grub2/grub.cfg", "/boot/grub2/grubenv" },
              FileKind::uuid_refs));
  if (fs.type == "vfat") {
    OCNE_TRY_ASSIGN(const auto efi_grub, g.glob("/EFI/*/grub.cfg"));
    OCNE_TRY(add_files(efi_grub, FileKind::uuid_refs));
    return {};
  }
  // System roots: ostree deployments, else the file system itself.
  OCNE_TRY_ASSIGN(const auto deployments, g.glob("/ostree/deploy/*/deploy/*"));
  for (auto d : deployments) {
    if (str::ends_with(d, "/")) {
      d.pop_back();
      fs.roots.push_back(d);
    }
  }
  if (fs.roots.empty() && g.is_dir("/etc")) {
    fs.roots.push_back("/");
  }
  std::vector<std::string> fstabs;
  for (const auto& root : fs.roots) {
    fstabs.push_back(join_path(root, "etc/fstab"));
  }
  return add_files(fstabs, FileKind::uuid_refs);
}

} // namespace

std::string_view
to_string(DiskFormat format)
{
  return format == DiskFormat::raw ? "raw" : "qcow2";
}

Result<DiskEditReport>
customize_disk(const fs::Path& disk, DiskFormat format, const DiskCustomization& c, ProgressSink& progress)
{
  if (!c.platform_id.empty()) {
    OCNE_TRY(validate_platform_id(c.platform_id));
  }
  OCNE_TRY(validate_kernel_args(c.kernel_args));
  const auto fail = [&](const Error& e) { return Error(e.kind(), fmt::format("{}: {}", disk.string(), e.message())); };
  // A task without a total: the steps are not bytes, so only its end shows.
  ProgressTask task(progress, fmt::format("Customizing {}", disk.filename().string()));

  OCNE_TRY_ASSIGN(
    auto g, GuestfsSession::launch({ GuestDrive{ disk, std::string(to_string(format)), false } }).map_error(fail));

  // 1. Survey every file system and read what will change.
  std::vector<FileSystem> filesystems;
  OCNE_TRY_ASSIGN(const auto partitions, g->list_partitions().map_error(fail));
  for (const auto& device : partitions) {
    FileSystem fs{ device, g->vfs_type(device), g->vfs_uuid(device), {}, {} };
    if (!linux_fs(fs.type) && fs.type != "vfat") {
      continue;
    }
    OCNE_TRY(g->mount(device, "/").map_error(fail));
    OCNE_TRY(survey(*g, fs).map_error(fail));
    OCNE_TRY(g->umount_all().map_error(fail));
    filesystems.push_back(std::move(fs));
  }
  DiskEditReport report;
  for (const auto& fs : filesystems) {
    for (const auto& f : fs.files) {
      if (f.kind == FileKind::boot_entry) {
        report.boot_entries.push_back(fs.device + ":" + f.path);
      }
    }
  }
  if (report.boot_entries.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: no boot loader entries (loader/entries/*.conf) on any file system; is it an OCK boot disk?",
                      disk.string());
  }

  // 2. New UUIDs (file systems must be unmounted for this).
  if (c.new_uuids) {
    for (auto& fs : filesystems) {
      if (!linux_fs(fs.type) || fs.uuid.empty()) {
        continue;
      }
      OCNE_TRY(g->new_uuid(fs.device, fs.type).map_error(fail));
      const auto fresh = g->vfs_uuid(fs.device);
      if (fresh.empty() || fresh == fs.uuid) {
        return make_error(ErrorKind::io, "{}: {} kept its UUID {}", disk.string(), fs.device, fs.uuid);
      }
      log::debug("{}: {} UUID {} -> {}", disk.string(), fs.device, fs.uuid, fresh);
      report.uuids[fs.uuid] = fresh;
    }
  }

  // 3. Write the edited files, drop machine ids, add the provider's files.
  for (const auto& fs : filesystems) {
    const bool has_work = !fs.files.empty() || (!fs.roots.empty() && (c.remove_machine_id || !c.files.empty()));
    if (!has_work) {
      continue;
    }
    OCNE_TRY(g->mount(fs.device, "/").map_error(fail));
    for (const auto& f : fs.files) {
      auto text = replace_uuids(f.content, report.uuids);
      if (f.kind == FileKind::boot_entry) {
        if (!c.platform_id.empty()) {
          text = set_platform_id(text, c.platform_id);
        }
        text = append_kernel_args(text, c.kernel_args);
      }
      if (text != f.content) {
        OCNE_TRY(g->write_file(f.path, text).map_error(fail));
        report.changed_files.push_back(fs.device + ":" + f.path);
      }
    }
    for (const auto& root : fs.roots) {
      if (c.remove_machine_id) {
        const auto machine_id = join_path(root, "etc/machine-id");
        if (g->exists(machine_id)) {
          OCNE_TRY(g->remove(machine_id).map_error(fail));
          report.removed_files.push_back(fs.device + ":" + machine_id);
        }
      }
      for (const auto& extra : c.files) {
        const auto path = join_path(root, extra.path);
        OCNE_TRY(g->mkdir_p(path.substr(0, path.rfind('/'))).map_error(fail));
        OCNE_TRY(g->write_file(path, extra.content, extra.mode).map_error(fail));
        report.added_files.push_back(fs.device + ":" + path);
      }
    }
    OCNE_TRY(g->umount_all().map_error(fail));
  }
  OCNE_TRY(g->shutdown().map_error(fail));
  task.succeed(fmt::format("{} boot entries, {} new UUIDs", report.boot_entries.size(), report.uuids.size()));
  return report;
}

} // namespace ocne::image
