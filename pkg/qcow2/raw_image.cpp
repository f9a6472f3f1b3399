#include "pkg/qcow2/disk_image.hpp"

namespace ocne::qcow2 {

namespace {

class RawImage final : public DiskImage
{
public:
  explicit RawImage(std::shared_ptr<RandomAccess> source) : m_source(std::move(source))
  {
    // Sparse-file holes are zeros we never need to read.
    for (const auto& e : m_source->allocation()) {
      if (e.length == 0) {
        continue;
      }
      if (!m_extents.empty() && m_extents.back().zero == e.zero &&
          m_extents.back().offset + m_extents.back().length == e.offset) {
        m_extents.back().length += e.length;
      } else {
        m_extents.push_back(e);
      }
    }
  }

  Format
  format() const override
  {
    return Format::raw;
  }
  std::uint64_t
  virtual_size() const override
  {
    return m_source->size();
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

  Status
  read(std::uint64_t offset, std::span<char> out) const override
  {
    OCNE_TRY_ASSIGN(const auto n, m_source->read_at(offset, out));
    if (n != out.size()) {
      return make_error(ErrorKind::io,
                        "{}: the file shrank while being read (wanted {} bytes at offset {}, got {})",
                        name(),
                        out.size(),
                        offset,
                        n);
    }
    return {};
  }

private:
  std::shared_ptr<RandomAccess> m_source;
  std::vector<Extent> m_extents;
};

} // namespace

Result<std::unique_ptr<DiskImage>>
open_raw(std::shared_ptr<RandomAccess> source)
{
  return std::unique_ptr<DiskImage>(std::make_unique<RawImage>(std::move(source)));
}

} // namespace ocne::qcow2
