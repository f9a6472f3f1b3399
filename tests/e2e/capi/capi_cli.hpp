#pragma once

// The fixture of the `cluster start/delete -P oci|oxide` tests: a CapiWorld
// per test, ocne run against it with short waits.

#include "tests/support/capi_world.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ocne::test {

class CapiCliTest : public TempDirTest
{
protected:
  // Skips (with the reason) when ../shared is absent.
  void SetUp() override;
  void start_world(CapiWorldOptions options);

  // ocne with the world's environment, polling every 100 ms and giving up
  // any wait after timeout_seconds.
  OcneRun ocne(const std::vector<std::string>& args,
               const std::map<std::string, std::string>& extra_env = {},
               int timeout_seconds = 60);
  // That environment, complete (for a Child the test kills).
  std::map<std::string, std::string> ocne_env(const std::map<std::string, std::string>& extra_env = {},
                                              int timeout_seconds = 60) const;

  std::filesystem::path kubeconfig(const std::string& name) const;
  // The cache entry's state ("" when the cluster is not cached).
  std::string cached_state(const std::string& name, const std::string& key) const;
  bool cached(const std::string& name) const;
  // Write requests (anything but GET) a server has seen so far.
  int writes(CapiWorld::Side side) const;
  // Whether every Node of the workload cluster is Ready (and there is one).
  bool nodes_ready() const;

  std::unique_ptr<CapiWorld> world;
};

// Whether text contains needle.
inline bool
has(const std::string& text, const std::string& needle)
{
  return text.find(needle) != std::string::npos;
}

// Lines of text that contain needle.
int count_lines_with(const std::string& text, const std::string& needle);

} // namespace ocne::test
