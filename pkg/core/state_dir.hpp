#pragma once

// The state folder, ~/.ocne by default. OCNE_HOME moves it, so tests and
// sandboxes never touch the real home.

#include "pkg/core/env.hpp"
#include "pkg/core/error.hpp"

#include <filesystem>

namespace ocne {

class StateDir
{
public:
  explicit StateDir(std::filesystem::path root) : m_root(std::move(root))
  {
  }
  // $OCNE_HOME, else ~/.ocne.
  static StateDir from_env(const Environment& env);

  const std::filesystem::path&
  root() const
  {
    return m_root;
  }
  // ~/.ocne/clusters.yaml: the cluster cache.
  std::filesystem::path clusters_file() const;
  // ~/.ocne/images: pulled and converted boot images.
  std::filesystem::path images_dir() const;
  // ~/.ocne/tmp: scratch space.
  std::filesystem::path tmp_dir() const;
  // ~/.ocne/locks: one lock file per cluster plus one for shared state files.
  std::filesystem::path locks_dir() const;

  // Creates the root (mode 0700) when missing.
  Status ensure() const;

private:
  std::filesystem::path m_root;
};

} // namespace ocne
