#pragma once

// The pure part of `ocne cluster upgrade`: from the versions a cluster runs
// and the version asked for, the hops to take (one minor each, control plane
// first, then workers) or the rule that refuses it. No I/O: unit tests give
// it tables (tests/unit/providers/capi/upgrade_plan_test.cpp).
//
// Rules (Kubernetes' version skew policy, Cluster API's webhooks):
//  - the target is a minor ocne knows (pkg/config/versions.cpp), never below
//    the control plane (no downgrades);
//  - each hop raises the control plane by one minor (KubeadmControlPlane
//    refuses a skipped minor), so 1.32 -> 1.34 is two hops;
//  - no kubelet is newer than the control plane, and none is more than 3
//    minors older than the first hop's control plane (2 before 1.28);
//  - a cluster already at the target whose workers lag gets one hop that
//    only does the workers.

#include "pkg/core/error.hpp"

#include <string>
#include <vector>

namespace ocne::providers::capi {

struct VersionsSeen
{
  std::string control_plane; // "v1.33.5", "1.33" (the KubeadmControlPlane's spec.version)
  struct Kubelet
  {
    std::string what;    // "node demo-md-0-x2x5q", "MachineDeployment ocne/demo-md-0"
    std::string version; // "v1.33.5"
  };
  std::vector<Kubelet> kubelets;
};

struct UpgradePlan
{
  std::string from;              // the control plane's minor, "1.33"
  std::vector<std::string> hops; // minors, in order; empty: nothing to do
};

// A minor "1.33" of "v1.33.5", "1.33.5" or "1.33"; "" when it is not one.
std::string minor_of(std::string_view version);
// 33 of "1.33" (-1 when it is not a 1.x minor).
int minor_number(std::string_view version);

// known: the minors ocne knows, ascending. An error of kind invalid_input
// whose message names the rule when the upgrade is refused.
Result<UpgradePlan> plan_upgrade(const VersionsSeen& seen,
                                 std::string_view target,
                                 const std::vector<std::string>& known);

} // namespace ocne::providers::capi
