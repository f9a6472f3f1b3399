#pragma once

// Every test gets its own folder. It is removed when the test passes and kept
// (with its path printed) when it fails, so the evidence survives.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace ocne::test {

class TempDir
{
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path&
  path() const
  {
    return m_path;
  }
  // Writes a file below the folder (parents created) and returns its path.
  std::filesystem::path write(std::string_view relative, std::string_view content, unsigned mode = 0644) const;
  void keep();

private:
  std::filesystem::path m_path;
  bool m_keep = false;
};

// A gtest fixture with a TempDir in dir().
class TempDirTest : public ::testing::Test
{
protected:
  const std::filesystem::path&
  dir() const
  {
    return m_dir.path();
  }
  std::filesystem::path
  write(std::string_view relative, std::string_view content, unsigned mode = 0644) const
  {
    return m_dir.write(relative, content, mode);
  }

private:
  TempDir m_dir;
};

} // namespace ocne::test
