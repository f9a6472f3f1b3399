#pragma once

// A cluster for the diagnostics commands' tests: a Kubernetes test server
// with nodes, pods (with logs), events and, when asked, Cluster API objects,
// and a kubeconfig for ocne in dir()/kubeconfig. A kubelet runs the pods
// ocne starts in ocne-system on Ready nodes, and each node's host answers
// exec'd commands (fake_nodes.hpp) unless a test sets its own responder.

#include "tests/e2e/diag/fake_nodes.hpp"
#include "tests/servers/kube/kube_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace ocne::test {

struct NodeSpec
{
  std::string name;
  bool control_plane = false;
  bool ready = true;
  bool cordoned = false;
  bool update_available = false;
  std::string kubelet_version = "v1.32.4+1.el8";
  std::string internal_ip;
  std::vector<std::pair<std::string, std::string>> extra_conditions; // type, status
};

// A Cluster API cluster "demo" in namespace demo (v1beta2): the Cluster,
// a KubeadmControlPlane of 3 and a MachineDeployment of 2 with these counts,
// and one Machine per replica named demo-cp-<i> / demo-md-0-<i>.
struct CapiSpec
{
  long kcp_ready = 3;
  long kcp_up_to_date = 3;
  long md_ready = 2;
  long md_up_to_date = 2;
  // Machines whose Ready condition is False (by name).
  std::vector<std::string> failing_machines;
};

class DiagCliTest : public TempDirTest
{
protected:
  void SetUp() override;
  void TearDown() override;

  kube::KubeTestServer&
  server()
  {
    return *m_server;
  }
  FakeNodes&
  hosts()
  {
    return *m_hosts;
  }
  std::filesystem::path
  kubeconfig() const
  {
    return dir() / "kubeconfig";
  }
  // Runs ocne with -k kubeconfig() appended, in the environment set_ocne_env gave.
  OcneRun ocne(std::vector<std::string> args, const std::string& stdin_data = {});
  void
  set_ocne_env(const std::string& name, const std::string& value)
  {
    m_env[name] = value;
  }
  // The whole environment ocne() runs ocne in (for a Child the test kills).
  std::map<std::string, std::string>
  ocne_env() const
  {
    return ocne_environment(dir(), m_env);
  }

  nlohmann::json add_node(const NodeSpec& spec);
  // A running pod on node with one container per name; status is set as
  // the kubelet would (all Ready unless changed later).
  nlohmann::json add_pod(const std::string& ns,
                         const std::string& name,
                         const std::string& node,
                         const std::vector<std::string>& containers);
  void add_namespace(const std::string& name);
  // A merge patch of a pod's status.
  void patch_pod_status(const std::string& ns, const std::string& name, const nlohmann::json& status);
  void add_event(const std::string& ns,
                 const std::string& name,
                 const std::string& type,
                 const std::string& reason,
                 const std::string& message,
                 const nlohmann::json& involved);
  // Loads the Cluster API CRDs (the test must have called OCNE_REQUIRE_SHARED).
  void load_capi_crds();
  void add_capi_cluster(const CapiSpec& spec);

private:
  std::unique_ptr<kube::KubeTestServer> m_server;
  std::unique_ptr<FakeNodes> m_hosts;
  std::map<std::string, std::string> m_env;
};

} // namespace ocne::test
