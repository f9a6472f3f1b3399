#pragma once

// The MD5 of a whole file as lowercase hex: what tests compare with the MD5
// the server computed of an object it stored.

#include <string>

namespace ocne::test::oci {

std::string file_md5_hex(const std::string& path);

} // namespace ocne::test::oci
