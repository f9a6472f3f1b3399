#pragma once

// Copies a boot disk for editing: byte for byte (qcow2 to qcow2, with
// copy_file_range so file systems that can share extents do), or converted
// to a sparse raw image with qemu-img.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/progress.hpp"

#include <cstdint>

namespace ocne::image {

// Copies the file at from into out (an open AtomicFile), reporting bytes.
Status copy_file_into(const fs::Path& from, fs::AtomicFile& out, ProgressTask& task);

// Converts a qcow2 into out as a sparse raw image of virtual_size bytes with
// `qemu-img convert`, reporting progress in bytes of the virtual size.
Status convert_to_raw(const fs::Path& qcow2, std::uint64_t virtual_size, fs::AtomicFile& out, ProgressTask& task);

} // namespace ocne::image
