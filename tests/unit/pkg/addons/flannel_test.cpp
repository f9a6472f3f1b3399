#include "pkg/addons/flannel.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::addons {
namespace {

using json = nlohmann::json;

class FlannelRender : public test::TempDirTest
{
protected:
  Environment
  env() const
  {
    return Environment::from_map({ { "HOME", dir().string() }, { "OCNE_HOME", (dir() / "state").string() } });
  }

  json
  find(const Addon& a, const std::string& kind) const
  {
    for (const auto& o : a.objects) {
      if (o["kind"] == kind) {
        return o;
      }
    }
    ADD_FAILURE() << "no " << kind;
    return json();
  }

  json
  net_conf(const Addon& a) const
  {
    return json::parse(find(a, "ConfigMap")["data"]["net-conf.json"].get<std::string>());
  }
};

TEST_F(FlannelRender, Ipv4TakesTheFirstPodCidrWithVxlanAndOcksImage)
{
  auto a = render_flannel({ .pod_cidrs = { "10.244.0.0/16" }, .interfaces = {} }, env());
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->name, "flannel");
  EXPECT_EQ(a->namespace_, "kube-flannel");
  EXPECT_EQ(a->source, "flannel.yaml (built in)");
  EXPECT_EQ(net_conf(*a), json::parse(R"({"Network":"10.244.0.0/16","EnableIPv4":true,"EnableIPv6":false,
                                          "Backend":{"Type":"vxlan"}})"));
  const json ds = find(*a, "DaemonSet");
  const json& spec = ds["spec"]["template"]["spec"];
  EXPECT_EQ(spec["containers"][0]["image"], "container-registry.oracle.com/olcne/flannel:current");
  EXPECT_EQ(spec["containers"][0]["args"], json::parse(R"(["--ip-masq","--kube-subnet-mgr"])"));
  // OCK ships the CNI plugin: only the configuration is installed.
  ASSERT_EQ(spec["initContainers"].size(), 1u);
  EXPECT_EQ(spec["initContainers"][0]["name"], "install-cni");
  const json cni = json::parse(find(*a, "ConfigMap")["data"]["cni-conf.json"].get<std::string>());
  EXPECT_EQ(cni["plugins"][0]["type"], "flannel");
}

TEST_F(FlannelRender, Ipv6AndDualStackAndInterfaces)
{
  auto v6 = render_flannel({ .pod_cidrs = { "fd00:10:244::/56" }, .interfaces = { "enp1s0" } }, env());
  ASSERT_TRUE(v6) << v6.error().message();
  EXPECT_EQ(net_conf(*v6), json::parse(R"({"IPv6Network":"fd00:10:244::/56","EnableIPv4":false,"EnableIPv6":true,
                                           "Backend":{"Type":"vxlan"}})"));
  EXPECT_EQ(find(*v6, "DaemonSet")["spec"]["template"]["spec"]["containers"][0]["args"][2], "--iface=enp1s0");

  auto dual = render_flannel(
    { .pod_cidrs = { "10.244.0.0/16", "fd00:10:244::/56", "10.245.0.0/16" }, .interfaces = { "eth0", "eth1" } }, env());
  ASSERT_TRUE(dual) << dual.error().message();
  EXPECT_EQ(net_conf(*dual), json::parse(R"({"Network":"10.244.0.0/16","IPv6Network":"fd00:10:244::/56",
                                             "EnableIPv4":true,"EnableIPv6":true,"Backend":{"Type":"vxlan"}})"));
  EXPECT_EQ(find(*dual, "DaemonSet")["spec"]["template"]["spec"]["containers"][0]["args"].size(), 4u);
}

TEST_F(FlannelRender, ABadCidrIsNamed)
{
  auto a = render_flannel({ .pod_cidrs = { "10.244.0.0/33" }, .interfaces = {} }, env());
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message(), "pod network 10.244.0.0/33 is not an IPv4 or IPv6 CIDR");
  auto none = render_flannel({ .pod_cidrs = {}, .interfaces = {} }, env());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "flannel needs a pod network (podSubnet is empty)");
}

TEST_F(FlannelRender, AnOverrideInOcneHomeWins)
{
  write("state/templates/addons/flannel.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine, namespace: kube-flannel}\n"
        "data:\n  net-conf.json: ${FLANNEL_NET_CONF}\n  image: ${FLANNEL_IMAGE}\n");
  auto a = render_flannel({ .pod_cidrs = { "10.1.0.0/16" }, .interfaces = {}, .image = "mirror/flannel:v1" }, env());
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->source, (dir() / "state/templates/addons/flannel.yaml").string());
  ASSERT_EQ(a->objects.size(), 1u);
  EXPECT_EQ(a->objects[0]["data"]["image"], "mirror/flannel:v1");
}

} // namespace
} // namespace ocne::addons
