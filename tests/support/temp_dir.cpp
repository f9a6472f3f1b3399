#include "tests/support/temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace ocne::test {

namespace {

std::string
sanitize(std::string s)
{
  for (auto& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      c = '_';
    }
  }
  return s;
}

} // namespace

TempDir::TempDir()
{
  std::string name = "ocne-test";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name = sanitize(std::string(info->test_suite_name()) + "-" + info->name());
  }
  const char* base = std::getenv("OCNE_TEST_TMPDIR");
  const std::filesystem::path root = base != nullptr ? base : std::filesystem::temp_directory_path();
  std::filesystem::create_directories(root);
  std::string templ = (root / (name.substr(0, 80) + "-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + templ);
  }
  m_path = templ;
}

TempDir::~TempDir()
{
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const bool failed = info != nullptr && info->result() != nullptr && info->result()->Failed();
  if (failed || m_keep) {
    std::cerr << "test folder kept: " << m_path << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

std::filesystem::path
TempDir::write(std::string_view relative, std::string_view content, unsigned mode) const
{
  const auto file = m_path / relative;
  std::filesystem::create_directories(file.parent_path());
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  ::chmod(file.c_str(), mode);
  return file;
}

void
TempDir::keep()
{
  m_keep = true;
}

} // namespace ocne::test
