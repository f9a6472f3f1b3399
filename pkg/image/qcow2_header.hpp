#pragma once

// A structural check of a qcow2 file's header, done before an extracted boot
// disk is accepted into the cache and before any conversion: the magic, the
// version, no encryption, no backing file, and metadata tables that lie
// inside the file. It does not walk the tables (qemu does that).

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <cstdint>
#include <string_view>

namespace ocne::image {

struct Qcow2Info
{
  std::uint32_t version = 0;
  std::uint32_t cluster_bits = 0;
  std::uint64_t virtual_size = 0;
  std::uint64_t file_size = 0;
  bool zstd = false; // compressed clusters use zstd instead of deflate
};

// Checks the qcow2 at path. what names the image in errors (the path when
// empty), e.g. "disk/boot.qcow2 in <ref>: not a qcow2 image (bad magic)".
Result<Qcow2Info> check_qcow2(const fs::Path& path, std::string_view what = {});

// Whether the file starts with the qcow2 magic.
Result<bool> is_qcow2(const fs::Path& path);

} // namespace ocne::image
