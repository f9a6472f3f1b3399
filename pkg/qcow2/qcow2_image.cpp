// The qcow2 reader. Layout facts from qemu's docs/interop/qcow2.txt: a
// big-endian header, a one-level L1 table pointing at L2 tables, one 64-bit
// L2 entry per guest cluster (standard: host offset in bits 9-55 and the
// "reads as zero" flag in bit 0; compressed: bit 62 set, host byte offset and
// an additional-sector count packed by cluster_bits).

#include "pkg/core/log.hpp"
#include "pkg/qcow2/decompress.hpp"
#include "pkg/qcow2/disk_image.hpp"

#include <algorithm>
#include <cstring>

namespace ocne::qcow2 {

namespace {

constexpr std::uint64_t k_offset_mask = 0x00fffffffffffe00ULL; // bits 9-55
constexpr std::uint64_t k_compressed_flag = 1ULL << 62;
constexpr std::uint64_t k_copied_flag = 1ULL << 63;
constexpr std::uint64_t k_zero_flag = 1ULL;
constexpr std::uint64_t k_l1_reserved = 0x7f000000000001ffULL; // bits 0-8, 56-62
constexpr std::uint64_t k_l2_reserved = 0x3f000000000001feULL; // bits 1-8, 56-61
constexpr std::uint64_t k_max_virtual_size = 1ULL << 55;       // far above any disk Oxide accepts
constexpr std::uint64_t k_max_l1_bytes = 32ULL << 20;          // qemu's limit
constexpr std::uint64_t k_max_table_memory = 512ULL << 20;     // L2 tables we keep in memory

// Incompatible feature bits (v3).
constexpr std::uint64_t k_dirty = 1ULL << 0;
constexpr std::uint64_t k_corrupt = 1ULL << 1;
constexpr std::uint64_t k_external_data = 1ULL << 2;
constexpr std::uint64_t k_compression_type = 1ULL << 3;
constexpr std::uint64_t k_extended_l2 = 1ULL << 4;
constexpr std::uint64_t k_known_incompatible =
  k_dirty | k_corrupt | k_external_data | k_compression_type | k_extended_l2;

// Header extension types.
constexpr std::uint32_t k_ext_end = 0;
constexpr std::uint32_t k_ext_external_data = 0x44415441;
constexpr std::uint32_t k_ext_encryption = 0x0537be77;

std::uint32_t
be32(const char* p)
{
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{ u[0] } << 24) | (std::uint32_t{ u[1] } << 16) | (std::uint32_t{ u[2] } << 8) |
         std::uint32_t{ u[3] };
}

std::uint64_t
be64(const char* p)
{
  return (std::uint64_t{ be32(p) } << 32) | be32(p + 4);
}

enum class Kind { zero, data, compressed };

struct Cluster
{
  Kind kind = Kind::zero;
  std::uint64_t host = 0;  // data: cluster offset; compressed: byte offset
  std::uint64_t csize = 0; // compressed: bytes that may hold the stream
};

class Qcow2Image final : public DiskImage
{
public:
  explicit Qcow2Image(std::shared_ptr<RandomAccess> source) : m_source(std::move(source))
  {
  }

  Status open();

  Format
  format() const override
  {
    return Format::qcow2;
  }
  std::uint64_t
  virtual_size() const override
  {
    return m_size;
  }
  const std::vector<Extent>&
  extents() const override
  {
    return m_extents;
  }
  const std::string&
  name() const override
  {
    return m_source->name();
  }
  Status read(std::uint64_t offset, std::span<char> out) const override;

private:
  template<typename... Args>
  tl::unexpected<Error>
  corrupt(fmt::format_string<Args...> format, Args&&... args) const
  {
    return make_error(ErrorKind::invalid_input,
                      "{}: corrupt or truncated qcow2 image: {}",
                      name(),
                      fmt::format(format, std::forward<Args>(args)...));
  }

  Status read_exact(std::uint64_t offset, std::span<char> out, std::string_view what) const;
  Status parse_header();
  Status parse_extensions(std::uint64_t start, std::uint64_t end);
  Status load_tables();
  Result<Cluster> classify(std::uint64_t entry, std::uint64_t guest_offset) const;
  Cluster cluster_at(std::uint64_t guest_cluster) const;
  Status read_compressed(const Cluster& c, std::uint64_t guest_offset, std::span<char> out) const;

  std::shared_ptr<RandomAccess> m_source;
  std::uint64_t m_file_size = 0;
  std::uint32_t m_version = 0;
  std::uint32_t m_cluster_bits = 0;
  std::uint64_t m_cluster_size = 0;
  std::uint64_t m_size = 0;
  std::uint32_t m_l1_size = 0;
  std::uint64_t m_l1_offset = 0;
  std::uint64_t m_l2_entries = 0;
  int m_compression = 0; // 0 deflate, 1 zstd
  std::uint64_t m_coffset_mask = 0;
  std::uint32_t m_csize_shift = 0;
  std::uint64_t m_csize_mask = 0;
  std::vector<std::vector<std::uint64_t>> m_l2; // per L1 entry; empty = unallocated
  std::vector<Extent> m_extents;
};

Status
Qcow2Image::read_exact(std::uint64_t offset, std::span<char> out, std::string_view what) const
{
  OCNE_TRY_ASSIGN(const auto n, m_source->read_at(offset, out));
  if (n != out.size()) {
    return corrupt("{} at offset {} ends past the end of the file ({} bytes)", what, offset, m_file_size);
  }
  return {};
}

Status
Qcow2Image::parse_header()
{
  m_file_size = m_source->size();
  char h[112] = {};
  const std::size_t want = std::min<std::uint64_t>(sizeof(h), m_file_size);
  OCNE_TRY_ASSIGN(const auto got, m_source->read_at(0, std::span<char>(h, want)));
  if (got < 72) {
    return corrupt("the file is only {} bytes, shorter than a qcow2 header", m_file_size);
  }
  if (std::memcmp(h, "QFI\xfb", 4) != 0) {
    return make_error(ErrorKind::invalid_input, "{}: not a qcow2 image (bad magic)", name());
  }
  m_version = be32(h + 4);
  if (m_version != 2 && m_version != 3) {
    return make_error(ErrorKind::invalid_input,
                      "{}: qcow2 version {} is not supported (only 2 and 3); convert it with qemu-img convert -O qcow2",
                      name(),
                      m_version);
  }
  const std::uint64_t backing_offset = be64(h + 8);
  const std::uint32_t backing_size = be32(h + 16);
  m_cluster_bits = be32(h + 20);
  m_size = be64(h + 24);
  const std::uint32_t crypt = be32(h + 32);
  m_l1_size = be32(h + 36);
  m_l1_offset = be64(h + 40);

  if (m_cluster_bits < 9 || m_cluster_bits > 21) {
    return corrupt("cluster_bits {} is outside 9..21", m_cluster_bits);
  }
  m_cluster_size = 1ULL << m_cluster_bits;
  m_l2_entries = m_cluster_size / 8;
  if (crypt != 0) {
    return make_error(ErrorKind::invalid_input,
                      "{}: encrypted qcow2 images are not supported (crypt_method {}); decrypt it first with qemu-img "
                      "convert",
                      name(),
                      crypt);
  }
  if (backing_offset != 0) {
    std::string backing(std::min<std::uint32_t>(backing_size, 1023), '\0');
    if (!backing.empty() && backing_offset < m_file_size) {
      auto n = m_source->read_at(backing_offset, std::span<char>(backing.data(), backing.size()));
      backing.resize(n ? *n : 0);
    }
    return make_error(ErrorKind::invalid_input,
                      "{}: the qcow2 image has a backing file ('{}'); flatten it first: qemu-img convert -O qcow2 {} "
                      "<new file>",
                      name(),
                      backing,
                      name());
  }
  if (m_size > k_max_virtual_size) {
    return corrupt("virtual size {} is implausibly large", m_size);
  }

  std::uint64_t header_length = 72;
  if (m_version == 3) {
    if (got < 104) {
      return corrupt("the file is only {} bytes, shorter than a version 3 header", m_file_size);
    }
    const std::uint64_t incompatible = be64(h + 72);
    header_length = be32(h + 100);
    if (header_length < 104 || header_length > m_cluster_size || header_length > m_file_size) {
      return corrupt("header_length {} is invalid", header_length);
    }
    if ((incompatible & k_corrupt) != 0) {
      return make_error(ErrorKind::invalid_input,
                        "{}: the qcow2 image is marked corrupt; repair it with qemu-img check -r all",
                        name());
    }
    if ((incompatible & k_external_data) != 0) {
      return make_error(ErrorKind::invalid_input,
                        "{}: qcow2 images with an external data file are not supported; convert it with qemu-img "
                        "convert -O qcow2",
                        name());
    }
    if ((incompatible & k_extended_l2) != 0) {
      return make_error(ErrorKind::invalid_input,
                        "{}: qcow2 images with extended L2 entries (subclusters) are not supported; convert it with "
                        "qemu-img convert -O qcow2",
                        name());
    }
    if ((incompatible & ~k_known_incompatible) != 0) {
      return make_error(ErrorKind::invalid_input,
                        "{}: the qcow2 image uses unknown incompatible features (0x{:x})",
                        name(),
                        incompatible & ~k_known_incompatible);
    }
    if ((incompatible & k_dirty) != 0) {
      log::debug("{}: the qcow2 image is marked dirty (not closed cleanly); its refcounts are not used here", name());
    }
    const int type = header_length > 104 ? static_cast<unsigned char>(h[104]) : 0;
    if (((incompatible & k_compression_type) != 0) != (type != 0)) {
      return corrupt("compression type {} disagrees with the compression-type feature bit", type);
    }
    if (type > 1) {
      return make_error(ErrorKind::invalid_input, "{}: unknown qcow2 compression type {}", name(), type);
    }
    m_compression = type;
  }
  OCNE_TRY(parse_extensions(header_length, std::min(m_cluster_size, m_file_size)));

  // The compressed-cluster descriptor layout depends on the cluster size.
  m_csize_shift = 62 - (m_cluster_bits - 8);
  m_coffset_mask = (1ULL << m_csize_shift) - 1;
  m_csize_mask = (1ULL << (m_cluster_bits - 8)) - 1;
  return {};
}

Status
Qcow2Image::parse_extensions(std::uint64_t start, std::uint64_t end)
{
  std::uint64_t pos = start;
  while (pos + 8 <= end) {
    char hdr[8];
    OCNE_TRY(read_exact(pos, hdr, "a header extension"));
    const std::uint32_t type = be32(hdr);
    const std::uint32_t length = be32(hdr + 4);
    if (type == k_ext_end) {
      return {};
    }
    if (pos + 8 + length > end) {
      return corrupt("header extension 0x{:08x} runs past the first cluster", type);
    }
    if (type == k_ext_external_data) {
      return make_error(
        ErrorKind::invalid_input, "{}: qcow2 images with an external data file are not supported", name());
    }
    if (type == k_ext_encryption) {
      return make_error(ErrorKind::invalid_input, "{}: encrypted qcow2 images are not supported", name());
    }
    pos += 8 + ((std::uint64_t{ length } + 7) & ~std::uint64_t{ 7 });
  }
  return {};
}

Result<Cluster>
Qcow2Image::classify(std::uint64_t entry, std::uint64_t guest_offset) const
{
  if ((entry & k_compressed_flag) != 0) {
    if ((entry & k_copied_flag) != 0) {
      return corrupt("compressed cluster at guest offset {} has the copied flag", guest_offset);
    }
    Cluster c;
    c.kind = Kind::compressed;
    c.host = entry & m_coffset_mask;
    const std::uint64_t sectors = ((entry >> m_csize_shift) & m_csize_mask) + 1;
    c.csize = sectors * 512 - (c.host & 511);
    if (c.host < m_cluster_size || c.host >= m_file_size) {
      return corrupt("compressed cluster for guest offset {} points at {}, outside the file ({} bytes)",
                     guest_offset,
                     c.host,
                     m_file_size);
    }
    // The last sector may be cut short by the end of the file.
    c.csize = std::min(c.csize, m_file_size - c.host);
    return c;
  }
  if ((entry & k_l2_reserved) != 0) {
    return corrupt("L2 entry for guest offset {} has reserved bits set (0x{:016x})", guest_offset, entry);
  }
  const std::uint64_t host = entry & k_offset_mask;
  if ((entry & k_zero_flag) != 0) {
    if (m_version < 3) {
      return corrupt("version 2 image uses the zero-cluster flag at guest offset {}", guest_offset);
    }
    return Cluster{ Kind::zero, 0, 0 };
  }
  if (host == 0) {
    return Cluster{ Kind::zero, 0, 0 };
  }
  if ((host & (m_cluster_size - 1)) != 0) {
    return corrupt("data cluster for guest offset {} is not cluster aligned (host offset {})", guest_offset, host);
  }
  const std::uint64_t needed = std::min(m_cluster_size, m_size - guest_offset);
  if (host + needed > m_file_size) {
    return corrupt("data cluster for guest offset {} at host offset {} lies past the end of the file ({} bytes)",
                   guest_offset,
                   host,
                   m_file_size);
  }
  return Cluster{ Kind::data, host, 0 };
}

Status
Qcow2Image::load_tables()
{
  const std::uint64_t per_l2 = m_cluster_size * m_l2_entries; // guest bytes one L2 table maps
  const std::uint64_t l1_needed = (m_size + per_l2 - 1) / per_l2;
  if (m_l1_size < l1_needed) {
    return corrupt("L1 table has {} entries, {} needed for a virtual size of {}", m_l1_size, l1_needed, m_size);
  }
  if (std::uint64_t{ m_l1_size } * 8 > k_max_l1_bytes) {
    return corrupt("L1 table of {} entries is larger than 32 MiB", m_l1_size);
  }
  if (l1_needed > 0 && (m_l1_offset == 0 || (m_l1_offset & (m_cluster_size - 1)) != 0)) {
    return corrupt("L1 table offset {} is not cluster aligned", m_l1_offset);
  }
  std::vector<char> l1_raw(l1_needed * 8);
  if (!l1_raw.empty()) {
    OCNE_TRY(read_exact(m_l1_offset, l1_raw, "the L1 table"));
  }
  if (l1_needed * m_cluster_size > k_max_table_memory) {
    // Not corrupt, but more than we hold in memory: refuse clearly.
    std::uint64_t allocated = 0;
    for (std::uint64_t i = 0; i < l1_needed; ++i) {
      allocated += (be64(l1_raw.data() + i * 8) & k_offset_mask) != 0 ? 1 : 0;
    }
    if (allocated * m_cluster_size > k_max_table_memory) {
      return make_error(ErrorKind::invalid_input,
                        "{}: the qcow2 image's L2 tables need {} MiB; images this large are not supported",
                        name(),
                        (allocated * m_cluster_size) >> 20);
    }
  }

  m_l2.resize(l1_needed);
  std::vector<char> raw(m_cluster_size);
  auto add_extent = [this](std::uint64_t offset, std::uint64_t length, bool zero) {
    if (!m_extents.empty() && m_extents.back().zero == zero &&
        m_extents.back().offset + m_extents.back().length == offset) {
      m_extents.back().length += length;
    } else {
      m_extents.push_back({ offset, length, zero });
    }
  };
  for (std::uint64_t i = 0; i < l1_needed; ++i) {
    const std::uint64_t l1 = be64(l1_raw.data() + i * 8);
    const std::uint64_t guest_base = i * per_l2;
    const std::uint64_t span = std::min(per_l2, m_size - guest_base);
    if ((l1 & k_l1_reserved) != 0) {
      return corrupt("L1 entry {} has reserved bits set (0x{:016x})", i, l1);
    }
    const std::uint64_t l2_offset = l1 & k_offset_mask;
    if (l2_offset == 0) {
      add_extent(guest_base, span, true);
      continue;
    }
    if ((l2_offset & (m_cluster_size - 1)) != 0) {
      return corrupt("L2 table {} at offset {} is not cluster aligned", i, l2_offset);
    }
    OCNE_TRY(read_exact(l2_offset, raw, "an L2 table"));
    auto& table = m_l2[i];
    table.resize(m_l2_entries);
    const std::uint64_t clusters = (span + m_cluster_size - 1) / m_cluster_size;
    for (std::uint64_t j = 0; j < clusters; ++j) {
      const std::uint64_t entry = be64(raw.data() + j * 8);
      const std::uint64_t guest = guest_base + j * m_cluster_size;
      OCNE_TRY_ASSIGN(const auto c, classify(entry, guest));
      table[j] = entry;
      add_extent(guest, std::min(m_cluster_size, m_size - guest), c.kind == Kind::zero);
    }
  }
  return {};
}

Status
Qcow2Image::open()
{
  OCNE_TRY(parse_header());
  OCNE_TRY(load_tables());
  return {};
}

Cluster
Qcow2Image::cluster_at(std::uint64_t guest_cluster) const
{
  const auto& table = m_l2[guest_cluster / m_l2_entries];
  if (table.empty()) {
    return {};
  }
  // Entries were validated when the table was loaded.
  auto c = classify(table[guest_cluster % m_l2_entries], guest_cluster * m_cluster_size);
  return c ? *c : Cluster{};
}

Status
Qcow2Image::read_compressed(const Cluster& c, std::uint64_t guest_offset, std::span<char> out) const
{
  std::vector<char> packed(c.csize);
  OCNE_TRY_ASSIGN(const auto n, m_source->read_at(c.host, packed));
  packed.resize(n);
  auto status = m_compression == 1 ? zstd_cluster(packed, out) : inflate_cluster(packed, out);
  if (!status) {
    return corrupt("compressed cluster for guest offset {}: {}", guest_offset, status.error().message());
  }
  return {};
}

Status
Qcow2Image::read(std::uint64_t offset, std::span<char> out) const
{
  if (offset > m_size || out.size() > m_size - offset) {
    return make_error(ErrorKind::internal,
                      "{}: read of {} bytes at {} is past the virtual size {}",
                      name(),
                      out.size(),
                      offset,
                      m_size);
  }
  std::vector<char> cluster; // decompressed cluster, allocated on first use
  std::uint64_t pos = offset;
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t index = pos >> m_cluster_bits;
    const std::uint64_t within = pos & (m_cluster_size - 1);
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(m_cluster_size - within, out.size() - done));
    const Cluster c = cluster_at(index);
    auto dest = out.subspan(done, n);
    switch (c.kind) {
      case Kind::zero:
        std::memset(dest.data(), 0, n);
        break;
      case Kind::data:
        OCNE_TRY(read_exact(c.host + within, dest, "a data cluster"));
        break;
      case Kind::compressed:
        cluster.resize(m_cluster_size);
        OCNE_TRY(read_compressed(c, index * m_cluster_size, cluster));
        std::memcpy(dest.data(), cluster.data() + within, n);
        break;
    }
    done += n;
    pos += n;
  }
  return {};
}

} // namespace

Result<std::unique_ptr<DiskImage>>
open_qcow2(std::shared_ptr<RandomAccess> source)
{
  auto image = std::make_unique<Qcow2Image>(std::move(source));
  OCNE_TRY(image->open());
  return std::unique_ptr<DiskImage>(std::move(image));
}

} // namespace ocne::qcow2
