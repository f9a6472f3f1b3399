#pragma once

// A management cluster for the Cluster API base's tests: the Kubernetes test
// server with a namespace "ocne" and a client for it.

#include "pkg/k8s/client.hpp"
#include "pkg/k8s/kubeconfig.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <vector>

namespace ocne::providers::capi::test_support {

class ManagementClusterTest : public ocne::test::TempDirTest
{
protected:
  // Starts the server with these CRD files or folders loaded.
  void
  start_management(std::vector<std::filesystem::path> crds = {})
  {
    ocne::test::kube::ServerOptions so;
    so.kubeconfig_path = dir() / "management";
    so.crd_paths = std::move(crds);
    server = std::make_unique<ocne::test::kube::KubeTestServer>(so);
    server->start();
    auto access = k8s::load_kubeconfig({ dir() / "management" });
    ASSERT_TRUE(access) << access.error().message();
    client = std::make_unique<k8s::Client>(std::move(*access));
    server->create({ { "apiVersion", "v1" }, { "kind", "Namespace" }, { "metadata", { { "name", "ocne" } } } });
  }

  std::unique_ptr<ocne::test::kube::KubeTestServer> server;
  std::unique_ptr<k8s::Client> client;
};

} // namespace ocne::providers::capi::test_support
