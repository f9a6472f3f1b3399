#pragma once

// Decompressing one qcow2 cluster: raw deflate (the default) or zstd
// (compression_type 1). The output buffer must be filled exactly; trailing
// input after the stream is ignored, as the cluster's sector rounding leaves
// padding there.

#include "pkg/core/error.hpp"

#include <span>

namespace ocne::qcow2 {

// Errors are short reasons ("invalid deflate data: ..."); the caller adds
// which cluster of which file.
Status inflate_cluster(std::span<const char> in, std::span<char> out);
Status zstd_cluster(std::span<const char> in, std::span<char> out);

} // namespace ocne::qcow2
