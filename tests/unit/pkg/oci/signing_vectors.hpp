#pragma once

// Loads ../shared/testdata/oci-signing (vectors.json and the key files).

#include "tests/support/shared_dir.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ocne::oci::test {

inline std::filesystem::path
signing_dir()
{
  return ::ocne::test::shared_path("testdata/oci-signing");
}

inline std::string
read_text(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json
signing_vectors()
{
  return nlohmann::json::parse(read_text(signing_dir() / "vectors.json"));
}

} // namespace ocne::oci::test
