#include "pkg/addons/ha_config.hpp"

#include "pkg/core/fs.hpp"
#include "pkg/core/process.hpp"
#include "pkg/ignition/assets.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::addons {
namespace {

using json = nlohmann::json;

class HaConfig : public test::TempDirTest
{
protected:
  Addon
  rendered()
  {
    auto a = render_ha_config({}, Environment::from_map({ { "HOME", dir().string() } }));
    EXPECT_TRUE(a) << (a ? "" : a.error().message());
    return a ? *a : Addon{};
  }

  // Runs one pass of the monitor script against fake kubectl and ip.
  ProcessResult
  run_monitor(const std::string& endpoints)
  {
    std::string script;
    for (const auto& o : rendered().objects) {
      if (o["kind"] == "ConfigMap") {
        script = o["data"]["monitor.sh"].get<std::string>();
      }
    }
    write("monitor.sh", script);
    write("bin/kubectl", "#!/bin/sh\nprintf '" + endpoints + "'\n", 0755);
    write("bin/ip",
          "#!/bin/sh\necho '2: enp1s0    inet 192.168.122.11/24 brd 192.168.122.255 scope global enp1s0'\n",
          0755);
    write("port", "6444\n");
    write("token", "t\n");
    auto r = run_process({ .argv = { "bash", (dir() / "monitor.sh").string() },
                           .env = std::nullopt,
                           .env_add = { { "PATH", (dir() / "bin").string() + ":/usr/bin:/bin" },
                                        { "ONCE", "1" },
                                        { "KUBECTL", (dir() / "bin/kubectl").string() },
                                        { "TOKEN_FILE", (dir() / "token").string() },
                                        { "CA_FILE", (dir() / "ca").string() },
                                        { "PORT_FILE", (dir() / "port").string() },
                                        { "KEEPALIVED_CONF", (dir() / "keepalived.conf").string() },
                                        { "NGINX_CONF", (dir() / "nginx.conf").string() } },
                           .timeout = std::chrono::seconds(30) });
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : ProcessResult{};
  }
};

TEST_F(HaConfig, ADaemonSetOnTheControlPlaneWithOcksOwnImage)
{
  const auto a = rendered();
  EXPECT_EQ(a.name, "ha-config");
  EXPECT_EQ(a.namespace_, "ocne-system");
  ASSERT_FALSE(a.objects.empty());
  const json& ds = a.objects.back();
  ASSERT_EQ(ds["kind"], "DaemonSet");
  const json& spec = ds["spec"]["template"]["spec"];
  EXPECT_TRUE(spec["nodeSelector"].contains("node-role.kubernetes.io/control-plane"));
  EXPECT_EQ(spec["containers"][0]["image"], "container-registry.oracle.com/os/oraclelinux:8");
  EXPECT_EQ(spec["containers"][0]["imagePullPolicy"], "Never");
}

TEST_F(HaConfig, TheMonitorSetsPeersAndUpstreamsFromTheEndpointsAndRewritesOnlyOnChange)
{
  write("keepalived.conf", ignition::assets::keepalived_conf("enp1s0", "192.168.122.201"));
  write("nginx.conf", ignition::assets::nginx_conf(6443, 6444));
  auto first = run_monitor("6444|192.168.122.11 192.168.122.12 192.168.122.13\\n");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto keepalived = *fs::read_file(dir() / "keepalived.conf");
  EXPECT_NE(keepalived.find("    unicast_peer {\n        192.168.122.12\n        192.168.122.13\n    }\n"),
            std::string::npos)
    << keepalived;
  EXPECT_NE(keepalived.find("virtual_ipaddress {\n        192.168.122.201\n    }"), std::string::npos) << keepalived;
  const auto nginx = *fs::read_file(dir() / "nginx.conf");
  EXPECT_NE(nginx.find("    upstream kubernetes_api {\n        least_conn;\n"
                       "        server 192.168.122.11:6444 max_fails=1 fail_timeout=10s;\n"
                       "        server 192.168.122.12:6444 max_fails=1 fail_timeout=10s;\n"
                       "        server 192.168.122.13:6444 max_fails=1 fail_timeout=10s;\n    }\n"),
            std::string::npos)
    << nginx;
  EXPECT_NE(nginx.find("proxy_pass kubernetes_api;"), std::string::npos) << nginx;
  EXPECT_NE(first.out.find("updated"), std::string::npos);

  // The same endpoints again: nothing is rewritten.
  auto second = run_monitor("6444|192.168.122.11 192.168.122.12 192.168.122.13\\n");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out.find("updated"), std::string::npos) << second.out;
  EXPECT_EQ(*fs::read_file(dir() / "keepalived.conf"), keepalived);

  // An API that does not answer changes nothing either.
  auto none = run_monitor("");
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(*fs::read_file(dir() / "nginx.conf"), nginx);
}

} // namespace
} // namespace ocne::addons
