#pragma once

// Stand-ins for the libvirt driver's dependencies in tests on libvirt's test
// driver: a scripted Kubernetes probe, and a volume writer that captures the
// bytes (the test driver cannot upload).

#include "pkg/cluster/probe.hpp"
#include "providers/libvirt/driver.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ocne::providers::libvirt::test {

struct ProbeScript
{
  Status wait_result;
  Result<std::size_t> count_result = std::size_t{ 1 };
  std::vector<std::pair<std::string, std::size_t>> waits;
  Status addons_result;
  std::vector<std::pair<std::string, cluster::AddonRequest>> addons;
};

class FakeProbe final : public cluster::ClusterProbe
{
public:
  explicit FakeProbe(std::shared_ptr<ProbeScript> script) : m_script(std::move(script))
  {
  }
  Status
  wait_ready(const fs::Path& kubeconfig, std::size_t min_nodes, std::chrono::milliseconds, ProgressSink&) override
  {
    m_script->waits.emplace_back(kubeconfig.string(), min_nodes);
    return m_script->wait_result;
  }
  Result<std::size_t>
  count_nodes(const fs::Path&) override
  {
    return m_script->count_result;
  }
  Status
  install_addons(const fs::Path& kubeconfig, const cluster::AddonRequest& request, ProgressSink&) override
  {
    m_script->addons.emplace_back(kubeconfig.string(), request);
    return m_script->addons_result;
  }

private:
  std::shared_ptr<ProbeScript> m_script;
};

struct Written
{
  std::map<std::string, std::string> volumes; // name -> bytes
  std::string fail_volume;                    // this one fails half-way
};

inline VolumeWriter
capturing_writer(std::shared_ptr<Written> sink)
{
  return
    [sink](
      ocne::libvirt::Volume& volume, ocne::libvirt::ByteSource& source, ProgressSink&, std::string_view) -> Status {
      std::string bytes(source.size(), '\0');
      std::size_t got = 0;
      while (got < bytes.size()) {
        auto n = source.read(bytes.data() + got, bytes.size() - got);
        if (!n || *n == 0) {
          break;
        }
        got += *n;
        if (volume.name() == sink->fail_volume && got > bytes.size() / 2) {
          return make_error(ErrorKind::io, "upload to volume {} stopped: connection reset", volume.name());
        }
      }
      sink->volumes[volume.name()] = bytes;
      return {};
    };
}

inline DriverDeps
fake_deps(std::shared_ptr<ProbeScript> probe, std::shared_ptr<Written> written)
{
  DriverDeps deps;
  deps.probe = std::make_unique<FakeProbe>(std::move(probe));
  deps.writer = capturing_writer(std::move(written));
  return deps;
}

} // namespace ocne::providers::libvirt::test
