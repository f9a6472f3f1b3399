#include "pkg/core/state_dir.hpp"

#include "pkg/core/fs.hpp"

namespace ocne {

StateDir
StateDir::from_env(const Environment& env)
{
  if (auto root = env.get_nonempty("OCNE_HOME")) {
    return StateDir(fs::resolve_path(*root, env.cwd(), env.home()));
  }
  return StateDir(env.home() / ".ocne");
}

std::filesystem::path
StateDir::clusters_file() const
{
  return m_root / "clusters.yaml";
}

std::filesystem::path
StateDir::images_dir() const
{
  return m_root / "images";
}

std::filesystem::path
StateDir::tmp_dir() const
{
  return m_root / "tmp";
}

std::filesystem::path
StateDir::locks_dir() const
{
  return m_root / "locks";
}

Status
StateDir::ensure() const
{
  return fs::ensure_dir(m_root, fs::k_private_dir);
}

} // namespace ocne
