#pragma once

// Finds one file (the boot disk, "disk/boot.qcow2") in a layer tar and
// streams it into a file, block by block: the layer is never unpacked to disk.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/image/byte_source.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace ocne::image {

// Where OCK images keep their boot disk.
inline constexpr std::string_view k_boot_disk_entry = "disk/boot.qcow2";

// Reads the tar in layer until entry (a regular file; "./" prefixes are
// ignored) and writes it to out, keeping holes of sparse entries. Returns its
// size, or nullopt when the layer has no such entry. what names the layer in
// errors. progress, when given, gets the entry's size as total.
Result<std::optional<std::uint64_t>> extract_entry(ByteSource& layer,
                                                   std::string_view what,
                                                   std::string_view entry,
                                                   fs::AtomicFile& out,
                                                   ProgressTask* progress = nullptr);

} // namespace ocne::image
