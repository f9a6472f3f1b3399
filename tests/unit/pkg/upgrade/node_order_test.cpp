#include "pkg/upgrade/node_order.hpp"

#include "pkg/upgrade/node_journal.hpp"

#include <gtest/gtest.h>

namespace ocne::upgrade {
namespace {

using nlohmann::json;

json
node(const std::string& name, bool control_plane, bool unfinished = false)
{
  json n = { { "metadata", { { "name", name }, { "labels", json::object() } } } };
  if (control_plane) {
    n["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = "";
  }
  if (unfinished) {
    n["metadata"]["annotations"] = { { k_node_update_annotation, "{}" } };
  }
  return n;
}

TEST(NodeOrder, ControlPlanesFirstByNameUnfinishedFirst)
{
  EXPECT_EQ(
    update_order(
      { node("worker-2", false), node("cp-3", true), node("worker-1", false), node("cp-1", true), node("cp-2", true) }),
    (std::vector<std::string>{ "cp-1", "cp-2", "cp-3", "worker-1", "worker-2" }));
  // An update a killed run left takes the lead, even a worker's.
  EXPECT_EQ(update_order({ node("cp-1", true), node("worker-1", false, true), node("cp-2", true, false) }),
            (std::vector<std::string>{ "worker-1", "cp-1", "cp-2" }));
  EXPECT_TRUE(update_order({}).empty());
}

} // namespace
} // namespace ocne::upgrade
