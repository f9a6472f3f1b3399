#include "pkg/upgrade/kubeadm_config.hpp"

#include "pkg/k8s/object.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace ocne::upgrade {

namespace {

const k8s::ObjectRef k_ref{ "v1", "ConfigMap", "kube-system", "kubeadm-config" };
const std::regex k_line(R"((^|\n)kubernetesVersion:[ \t]*([^\n]*))");

Result<std::pair<nlohmann::json, std::string>>
read_config(k8s::Client& client)
{
  OCNE_TRY_ASSIGN(auto cm, client.get(k_ref));
  const auto text = k8s::string_at(cm, "/data/ClusterConfiguration");
  std::smatch m;
  if (!std::regex_search(text, m, k_line)) {
    return make_error(ErrorKind::invalid_input,
                      "kube-system/kubeadm-config: ClusterConfiguration has no kubernetesVersion: is this a kubeadm "
                      "cluster?");
  }
  std::string version = m[2].str();
  if (version.size() >= 2 && (version.front() == '"' || version.front() == '\'')) {
    version = version.substr(1, version.size() - 2);
  }
  return std::make_pair(std::move(cm), version);
}

} // namespace

Result<std::string>
kubeadm_kubernetes_version(k8s::Client& client)
{
  OCNE_TRY_ASSIGN(auto read, read_config(client));
  return read.second;
}

Result<bool>
set_kubeadm_kubernetes_version(k8s::Client& client, std::string_view version)
{
  for (int attempt = 1;; ++attempt) {
    OCNE_TRY_ASSIGN(auto read, read_config(client));
    auto& [cm, have] = read;
    if (have == version) {
      return false;
    }
    const auto text = k8s::string_at(cm, "/data/ClusterConfiguration");
    cm["data"]["ClusterConfiguration"] = std::regex_replace(
      text, k_line, "$1kubernetesVersion: " + std::string(version), std::regex_constants::format_first_only);
    auto written = client.replace(cm);
    if (written) {
      return true;
    }
    if (written.error().kind() != ErrorKind::conflict || attempt == 5) {
      return make_error(written.error());
    }
  }
}

} // namespace ocne::upgrade
