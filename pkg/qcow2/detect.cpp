// Telling a raw disk image from a qcow2 one and from everything else a user
// might pass by mistake (another image format, a compressed or archived image).

#include "pkg/qcow2/disk_image.hpp"

#include <cstring>
#include <optional>

namespace ocne::qcow2 {

namespace {

struct Foreign
{
  std::string what; // "a VMDK image"
  std::string fix;  // "convert it first: ..."
};

bool
has(std::string_view head, std::size_t offset, std::string_view magic)
{
  return head.size() >= offset + magic.size() && head.substr(offset, magic.size()) == magic;
}

std::optional<Foreign>
sniff_foreign(std::string_view head, const std::string& name)
{
  const std::string convert = "convert it first: qemu-img convert -O qcow2 " + name + " <new file>.qcow2";
  const std::string decompress = "decompress it first";
  if (has(head, 0, "QFI\xfb")) {
    return std::nullopt;
  }
  if (has(head, 0, "KDMV") || has(head, 0, "# Disk DescriptorFile")) {
    return Foreign{ "a VMDK image", convert };
  }
  if (has(head, 0, "vhdxfile")) {
    return Foreign{ "a VHDX image", convert };
  }
  if (has(head, 0, "conectix")) {
    return Foreign{ "a VHD image", convert };
  }
  if (has(head, 0, "<<< ") || has(head, 64, std::string_view("\x7f\x10\xda\xbe", 4))) {
    return Foreign{ "a VirtualBox VDI image", convert };
  }
  if (has(head, 0, std::string_view("QED\0", 4))) {
    return Foreign{ "a QED image", convert };
  }
  if (has(head, 0, "\x1f\x8b")) {
    return Foreign{ "gzip-compressed", decompress + " (gunzip)" };
  }
  if (has(head,
          0,
          std::string_view("\xfd"
                           "7zXZ\0",
                           6))) {
    return Foreign{ "xz-compressed", decompress + " (unxz)" };
  }
  if (has(head, 0, "\x28\xb5\x2f\xfd")) {
    return Foreign{ "zstd-compressed", decompress + " (unzstd)" };
  }
  if (has(head, 0, "BZh")) {
    return Foreign{ "bzip2-compressed", decompress + " (bunzip2)" };
  }
  if (has(head, 0, "PK\x03\x04")) {
    return Foreign{ "a zip archive", "extract the disk image from it first" };
  }
  if (has(head, 0, "7z\xbc\xaf\x27\x1c")) {
    return Foreign{ "a 7-zip archive", "extract the disk image from it first" };
  }
  if (has(head, 257, "ustar")) {
    return Foreign{ "a tar archive (an OVA?)", "extract the disk image from it first" };
  }
  if (has(head, 0, "LUKS\xba\xbe")) {
    return Foreign{ "a LUKS-encrypted volume", "upload the decrypted disk image instead" };
  }
  return std::nullopt;
}

} // namespace

Result<std::unique_ptr<DiskImage>>
open_image(std::shared_ptr<RandomAccess> source)
{
  const auto& name = source->name();
  if (source->size() == 0) {
    return make_error(ErrorKind::invalid_input, "{}: the file is empty, not a disk image", name);
  }
  std::string head(std::min<std::uint64_t>(source->size(), 4096), '\0');
  OCNE_TRY_ASSIGN(const auto n, source->read_at(0, std::span<char>(head.data(), head.size())));
  head.resize(n);
  if (has(head, 0, "QFI\xfb")) {
    if (head.size() >= 8 && head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] == 1) {
      return make_error(ErrorKind::invalid_input,
                        "{}: not a raw or qcow2 disk image (it is a qcow version 1 image); convert it first: qemu-img "
                        "convert -O qcow2 {} <new file>.qcow2",
                        name,
                        name);
    }
    return open_qcow2(std::move(source));
  }
  if (auto foreign = sniff_foreign(head, name)) {
    return make_error(
      ErrorKind::invalid_input, "{}: not a raw or qcow2 disk image (it is {}); {}", name, foreign->what, foreign->fix);
  }
  if (source->size() % 512 != 0) {
    return make_error(ErrorKind::invalid_input,
                      "{}: not a raw or qcow2 disk image: its size ({} bytes) is not a multiple of 512",
                      name,
                      source->size());
  }
  return open_raw(std::move(source));
}

Result<std::unique_ptr<DiskImage>>
open_image(const std::filesystem::path& path)
{
  OCNE_TRY_ASSIGN(auto source, open_file(path));
  return open_image(std::move(source));
}

} // namespace ocne::qcow2
