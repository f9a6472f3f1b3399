#include "pkg/image/qcow2_header.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

namespace ocne::image {

namespace {

constexpr std::size_t k_header_read = 112;
constexpr std::uint64_t k_max_virtual_size = 1ULL << 46; // 64 TiB
// Incompatible feature bits: dirty, corrupt, external data file, compression
// type, extended L2 entries.
constexpr std::uint64_t k_dirty = 1;
constexpr std::uint64_t k_corrupt = 2;
constexpr std::uint64_t k_external_data = 4;
constexpr std::uint64_t k_known_incompatible = 0x1f;

std::uint64_t
be(const unsigned char* p, int n)
{
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    v = (v << 8) | p[i];
  }
  return v;
}

Result<std::pair<std::array<unsigned char, k_header_read>, std::uint64_t>>
read_head(const fs::Path& path)
{
  const fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return make_error(ErrorKind::io, "{}: {}", path.string(), fs::errno_message(errno));
  }
  struct stat st
  {};
  if (::fstat(fd.get(), &st) != 0) {
    return make_error(ErrorKind::io, "{}: {}", path.string(), fs::errno_message(errno));
  }
  std::array<unsigned char, k_header_read> head{};
  std::size_t got = 0;
  while (got < head.size()) {
    const auto n = ::pread(fd.get(), head.data() + got, head.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return make_error(ErrorKind::io, "{}: {}", path.string(), fs::errno_message(errno));
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  return std::make_pair(head, static_cast<std::uint64_t>(st.st_size));
}

} // namespace

Result<bool>
is_qcow2(const fs::Path& path)
{
  OCNE_TRY_ASSIGN(const auto head, read_head(path));
  return head.second >= 4 && be(head.first.data(), 4) == 0x514649fb;
}

Result<Qcow2Info>
check_qcow2(const fs::Path& path, std::string_view what)
{
  const std::string name = what.empty() ? path.string() : std::string(what);
  const auto bad = [&](std::string_view why) {
    return make_error(ErrorKind::invalid_input, "{}: not a usable qcow2 image ({})", name, why);
  };
  OCNE_TRY_ASSIGN(const auto head, read_head(path));
  const auto* h = head.first.data();
  Qcow2Info info;
  info.file_size = head.second;
  if (info.file_size < 72 || be(h, 4) != 0x514649fb) {
    return bad(info.file_size < 72 ? "the file is too short" : "bad magic");
  }
  info.version = static_cast<std::uint32_t>(be(h + 4, 4));
  if (info.version != 2 && info.version != 3) {
    return bad(fmt::format("unsupported version {}", info.version));
  }
  if (be(h + 8, 8) != 0) {
    return bad("it has a backing file; flatten it with qemu-img convert");
  }
  info.cluster_bits = static_cast<std::uint32_t>(be(h + 20, 4));
  if (info.cluster_bits < 9 || info.cluster_bits > 21) {
    return bad(fmt::format("invalid cluster size 2^{}", info.cluster_bits));
  }
  const std::uint64_t cluster = 1ULL << info.cluster_bits;
  info.virtual_size = be(h + 24, 8);
  if (info.virtual_size == 0 || info.virtual_size > k_max_virtual_size) {
    return bad(fmt::format("invalid virtual size {}", info.virtual_size));
  }
  if (be(h + 32, 4) != 0) {
    return bad("it is encrypted");
  }
  const std::uint64_t l1_size = be(h + 36, 4);
  const std::uint64_t l1_offset = be(h + 40, 8);
  const std::uint64_t refcount_offset = be(h + 48, 8);
  const std::uint64_t refcount_clusters = be(h + 56, 4);
  const auto inside = [&](std::uint64_t offset, std::uint64_t length) {
    return offset % cluster == 0 && offset <= info.file_size && length <= info.file_size - offset;
  };
  if (!inside(l1_offset, l1_size * 8)) {
    return bad("the L1 table lies outside the file; is it truncated?");
  }
  if (refcount_clusters == 0 || !inside(refcount_offset, refcount_clusters * cluster)) {
    return bad("the refcount table lies outside the file; is it truncated?");
  }
  if (info.version == 3) {
    if (info.file_size < 104) {
      return bad("the file is too short");
    }
    const std::uint64_t incompatible = be(h + 72, 8);
    if ((incompatible & k_corrupt) != 0) {
      return bad("qemu marked it corrupt");
    }
    if ((incompatible & k_dirty) != 0) {
      return bad("it was not closed cleanly; run qemu-img check -r all");
    }
    if ((incompatible & k_external_data) != 0) {
      return bad("it uses an external data file");
    }
    if ((incompatible & ~k_known_incompatible) != 0) {
      return bad(fmt::format("unknown incompatible features 0x{:x}", incompatible & ~k_known_incompatible));
    }
    const std::uint64_t header_length = be(h + 100, 4);
    info.zstd = header_length > 104 && h[104] == 1;
  }
  return info;
}

} // namespace ocne::image
