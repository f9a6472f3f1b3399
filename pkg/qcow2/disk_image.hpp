#pragma once

// A boot disk image (raw or qcow2) seen as its virtual content: a byte array
// of virtual_size() bytes that can be read at any offset from any thread.
// Holes (unallocated or zero clusters, sparse file holes) are reported by
// extents() so an uploader can skip them without reading.

#include "pkg/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::qcow2 {

enum class Format { raw, qcow2 };

std::string_view to_string(Format format);

// A run of the virtual disk that is either known to read as zeros (a hole)
// or holds data (which may still happen to be zeros).
struct Extent
{
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  bool zero = false;

  bool operator==(const Extent&) const = default;
};

// Where the image's bytes come from: a file, or memory (tests, fuzzing).
class RandomAccess
{
public:
  virtual ~RandomAccess() = default;
  virtual std::uint64_t size() const = 0;
  // Reads up to out.size() bytes at offset; fewer only at the end of the data.
  // Thread-safe.
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<char> out) const = 0;
  // Data extents of the underlying file when it can tell (SEEK_DATA), else
  // one data extent over everything.
  virtual std::vector<Extent> allocation() const;
  // For messages: the file name, or "<memory>".
  virtual const std::string& name() const = 0;
};

Result<std::shared_ptr<RandomAccess>> open_file(const std::filesystem::path& path);
std::shared_ptr<RandomAccess> memory_source(std::string bytes, std::string name = "<memory>");

class DiskImage
{
public:
  virtual ~DiskImage() = default;
  virtual Format format() const = 0;
  // The size of the disk the image describes (not the file size).
  virtual std::uint64_t virtual_size() const = 0;
  // Sorted, non-overlapping extents covering [0, virtual_size()).
  virtual const std::vector<Extent>& extents() const = 0;
  // Reads virtual bytes [offset, offset + out.size()); the range must lie
  // within virtual_size(). Thread-safe.
  virtual Status read(std::uint64_t offset, std::span<char> out) const = 0;
  // The file name, for messages.
  virtual const std::string& name() const = 0;

  // Whether [offset, offset + length) lies entirely in holes.
  bool known_zero(std::uint64_t offset, std::uint64_t length) const;
};

// Opens a raw or qcow2 image, detecting the format from its content, and
// validates its structure (for qcow2: header, L1 and L2 tables, every cluster
// offset against the file size), so a truncated or corrupt file fails here,
// before anything is uploaded. Other formats (vmdk, vhdx, compressed files,
// ...) fail with a message that says what the file is and how to convert it.
Result<std::unique_ptr<DiskImage>> open_image(const std::filesystem::path& path);
Result<std::unique_ptr<DiskImage>> open_image(std::shared_ptr<RandomAccess> source);

Result<std::unique_ptr<DiskImage>> open_qcow2(std::shared_ptr<RandomAccess> source);
Result<std::unique_ptr<DiskImage>> open_raw(std::shared_ptr<RandomAccess> source);

// Whether all bytes are zero (fast: word at a time).
bool all_zero(std::span<const char> data);

} // namespace ocne::qcow2
