#include "pkg/upgrade/stage_checks.hpp"

#include "pkg/config/versions.hpp"
#include "pkg/k8s/object.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <set>

namespace ocne::upgrade {

namespace {

int
target_minor(std::string_view target)
{
  return std::stoi(std::string(target.substr(target.find('.') + 1)));
}

} // namespace

Status
check_stage_version(std::string_view version)
{
  static const std::regex minor(R"(^[1-9]\.[0-9][0-9]$)");
  if (!std::regex_match(version.begin(), version.end(), minor)) {
    return make_error(
      ErrorKind::invalid_input, "--version {}: not a Kubernetes minor version such as 1.34", std::string(version));
  }
  if (!config::is_supported_kube_version(version)) {
    std::string known;
    for (const auto& v : config::kube_versions()) {
      known += (known.empty() ? "" : ", ") + v.minor;
    }
    return make_error(
      ErrorKind::invalid_input, "--version {}: not a Kubernetes version ocne knows ({})", std::string(version), known);
  }
  return {};
}

std::optional<int>
kubelet_minor(std::string_view kubelet_version)
{
  static const std::regex re(R"(^v?1\.([0-9]+)(\..*)?$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(kubelet_version.begin(), kubelet_version.end(), m, re)) {
    return std::nullopt;
  }
  return std::stoi(m[1].str());
}

Status
check_stage_skew(const std::vector<std::string>& kubelet_versions, std::string_view target)
{
  std::set<int> minors;
  for (const auto& v : kubelet_versions) {
    if (const auto m = kubelet_minor(v)) {
      minors.insert(*m);
    }
  }
  if (minors.empty()) {
    return make_error(ErrorKind::invalid_input, "no node reports a kubelet version: cannot check the version skew");
  }
  const int low = *minors.begin();
  const int high = *minors.rbegin();
  const int want = target_minor(target);
  if (high - low > 1) {
    return make_error(ErrorKind::invalid_input,
                      "the nodes run Kubernetes 1.{} to 1.{}, more than one minor apart: update the older nodes first",
                      low,
                      high);
  }
  if (low == high && want != low && want != low + 1) {
    return make_error(ErrorKind::invalid_input,
                      "cannot stage {}: the nodes run Kubernetes 1.{}; stage 1.{} or 1.{} (one minor at a time)",
                      std::string(target),
                      low,
                      low,
                      low + 1);
  }
  if (low != high && want != high) {
    return make_error(ErrorKind::invalid_input,
                      "cannot stage {}: the nodes run Kubernetes 1.{} and 1.{}; finish the update to 1.{} first (stage "
                      "1.{})",
                      std::string(target),
                      low,
                      high,
                      high,
                      high);
  }
  return {};
}

bool
managed_by_cluster_api(const std::vector<nlohmann::json>& nodes)
{
  for (const auto& n : nodes) {
    if (k8s::has_annotation(n, k_machine_annotation)) {
      return true;
    }
  }
  return false;
}

} // namespace ocne::upgrade
