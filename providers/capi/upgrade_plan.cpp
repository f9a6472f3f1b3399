#include "providers/capi/upgrade_plan.hpp"

#include "pkg/core/strings.hpp"

#include <algorithm>
#include <cstdlib>

namespace ocne::providers::capi {

std::string
minor_of(std::string_view version)
{
  auto v = str::trim(version);
  if (str::starts_with(v, "v")) {
    v.remove_prefix(1);
  }
  const auto dot = v.find('.');
  if (dot == std::string_view::npos || dot == 0) {
    return "";
  }
  const auto second = v.find('.', dot + 1);
  const auto minor = v.substr(dot + 1, second == std::string_view::npos ? std::string_view::npos : second - dot - 1);
  if (minor.empty() || !std::all_of(minor.begin(), minor.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !std::all_of(v.begin(), v.begin() + static_cast<long>(dot), [](char c) { return c >= '0' && c <= '9'; })) {
    return "";
  }
  return std::string(v.substr(0, dot)) + "." + std::string(minor);
}

int
minor_number(std::string_view version)
{
  const auto m = minor_of(version);
  if (m.size() < 3 || m.compare(0, 2, "1.") != 0) {
    return -1;
  }
  return std::atoi(m.c_str() + 2);
}

namespace {

// How many minors older than the API server a kubelet may be.
int
kubelet_skew(int apiserver_minor)
{
  return apiserver_minor >= 28 ? 3 : 2;
}

} // namespace

Result<UpgradePlan>
plan_upgrade(const VersionsSeen& seen, std::string_view target, const std::vector<std::string>& known)
{
  UpgradePlan plan;
  const auto want = minor_of(target);
  if (want.empty() || std::find(known.begin(), known.end(), want) == known.end()) {
    return make_error(ErrorKind::invalid_input,
                      "Kubernetes version {} is not supported (supported: {})",
                      str::quote(target),
                      str::join(known, ", "));
  }
  plan.from = minor_of(seen.control_plane);
  const int from = minor_number(plan.from);
  if (from < 0) {
    return make_error(ErrorKind::invalid_input,
                      "the control plane's version {} is not a Kubernetes version",
                      str::quote(seen.control_plane));
  }
  const int to = minor_number(want);
  if (to < from) {
    return make_error(ErrorKind::invalid_input,
                      "refused: the control plane runs {}, and {} is older (rule: no downgrades; Kubernetes and "
                      "Cluster API only upgrade)",
                      plan.from,
                      want);
  }
  bool workers_behind = false;
  for (const auto& k : seen.kubelets) {
    const int m = minor_number(k.version);
    if (m < 0) {
      continue;
    }
    if (m > from) {
      return make_error(ErrorKind::invalid_input,
                        "refused: {} runs {}, newer than the control plane ({}) (rule: a kubelet is never newer "
                        "than the API server)",
                        k.what,
                        k.version,
                        plan.from);
    }
    const int first = to > from ? from + 1 : from;
    if (first - m > kubelet_skew(first)) {
      return make_error(ErrorKind::invalid_input,
                        "refused: {} runs {}, more than {} minors older than the control plane would be (1.{}) "
                        "(rule: kubelet version skew); upgrade its machines first",
                        k.what,
                        k.version,
                        kubelet_skew(first),
                        first);
    }
    workers_behind = workers_behind || m < to;
  }
  for (int m = from + 1; m <= to; ++m) {
    const auto hop = "1." + std::to_string(m);
    if (std::find(known.begin(), known.end(), hop) == known.end()) {
      return make_error(ErrorKind::invalid_input,
                        "refused: the way from {} to {} passes {}, which ocne does not know (rule: one minor per "
                        "hop, each a version ocne knows)",
                        plan.from,
                        want,
                        hop);
    }
    plan.hops.push_back(hop);
  }
  if (plan.hops.empty() && workers_behind) {
    plan.hops.push_back(want); // the control plane is there; the workers follow
  }
  return plan;
}

} // namespace ocne::providers::capi
