#pragma once

// The version and commit ocne was built from, written at build time by
// cmake/OcneBuildInfo.cmake (the Debian package carries the same version).

namespace ocne::cli::build_info {

extern const char* const version; // e.g. "0.1.0+git93.gb32dd15c0ffe"
extern const char* const commit;  // the full commit id, or "unknown"
// The commit's date (or SOURCE_DATE_EPOCH), e.g. "2026-12-07T12:55:59Z", or "unknown".
extern const char* const date;

} // namespace ocne::cli::build_info
