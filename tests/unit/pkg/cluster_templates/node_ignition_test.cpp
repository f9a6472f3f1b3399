#include "pkg/cluster_templates/node_ignition.hpp"

#include "pkg/cluster_templates/ignition_merge.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::cluster_templates {
namespace {

using Json = nlohmann::ordered_json;

NodeIgnitionOptions
base()
{
  NodeIgnitionOptions o;
  o.registry = "container-registry.oracle.com";
  o.os_registry = "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree";
  o.os_tag = "1.33";
  return o;
}

Json
build(const NodeIgnitionOptions& o)
{
  auto r = node_ignition(o);
  EXPECT_TRUE(r) << r.error().message();
  return r ? Json::parse(*r) : Json();
}

const Json*
find(const Json& list, std::string_view key, std::string_view value)
{
  for (const auto& item : list) {
    if (item.value(std::string(key), std::string()) == value) {
      return &item;
    }
  }
  return nullptr;
}

TEST(NodeIgnition, NodesGetOcneServicesAndTheCloudsHooks)
{
  auto o = base();
  o.cloud_files.push_back({ "/etc/ocne/cloud-hook.sh", 0555, "#!/bin/sh\n" });
  o.cloud_dropins.push_back({ "crio.service", "cloud-hook.conf", "[Service]\nExecStartPre=/etc/ocne/cloud-hook.sh\n" });
  const auto j = build(o);
  EXPECT_EQ(j["ignition"]["version"], "3.4.0");
  const auto& units = j["systemd"]["units"];
  ASSERT_NE(find(units, "name", "ocne.service"), nullptr);
  EXPECT_EQ((*find(units, "name", "ocne.service"))["enabled"], false);
  const auto* crio = find(units, "name", "crio.service");
  ASSERT_NE(crio, nullptr);
  EXPECT_NE(find((*crio)["dropins"], "name", "pre-kubeadm.conf"), nullptr);
  EXPECT_NE(find((*crio)["dropins"], "name", "cloud-hook.conf"), nullptr);
  EXPECT_EQ(find((*crio)["dropins"], "name", "proxy.conf"), nullptr) << "no proxy configured";
  EXPECT_EQ(j["storage"]["files"][0]["path"], "/etc/ocne/cloud-hook.sh") << "the cloud's files come first";
  EXPECT_EQ(j["storage"]["files"][0]["mode"], 0555);
  const auto* update = find(j["storage"]["files"], "path", "/etc/ocne/update.yaml");
  ASSERT_NE(update, nullptr);
  EXPECT_EQ((*update)["mode"], 0400);
  EXPECT_EQ((*update)["contents"]["source"],
            data_url("registry: container-registry.oracle.com/olcne/ock-ostree\ntag: 1.33\ntransport: "
                     "ostree-unverified-registry\n"));
  EXPECT_EQ(j["passwd"]["users"][0]["name"], "ocne");
  EXPECT_FALSE(j["passwd"]["users"][0].contains("sshAuthorizedKeys"));
}

TEST(NodeIgnition, WithoutCloudHooksCrioHasOnlyItsOwnDropIn)
{
  const auto j = build(base());
  const auto* crio = find(j["systemd"]["units"], "name", "crio.service");
  ASSERT_NE(crio, nullptr);
  ASSERT_EQ((*crio)["dropins"].size(), 1U);
  EXPECT_EQ((*crio)["dropins"][0]["name"], "pre-kubeadm.conf");
  EXPECT_EQ(j["storage"]["files"][0]["path"], "/etc/ocne/update.yaml");
}

TEST(NodeIgnition, ProxyDropInsAreQuotedForSystemd)
{
  auto o = base();
  o.https_proxy = "http://user:p%40ss\"w\\rd@proxy:3128";
  o.no_proxy = ".example.com, localhost";
  o.no_proxy_extra = { "10.96.0.0/12" };
  const auto j = build(o);
  const auto* crio = find(j["systemd"]["units"], "name", "crio.service");
  const auto* proxy = find((*crio)["dropins"], "name", "proxy.conf");
  ASSERT_NE(proxy, nullptr);
  EXPECT_EQ((*proxy)["contents"],
            "[Service]\n"
            "Environment=\"HTTPS_PROXY=http://user:p%%40ss\\\"w\\\\rd@proxy:3128\"\n"
            "Environment=\"https_proxy=http://user:p%%40ss\\\"w\\\\rd@proxy:3128\"\n"
            "Environment=\"no_proxy=.example.com,localhost,10.96.0.0/12\"\n"
            "Environment=\"NO_PROXY=.example.com,localhost,10.96.0.0/12\"\n");
  EXPECT_NE(find(j["systemd"]["units"], "name", "ocne-proxy-config.service"), nullptr);
  EXPECT_NE(find(j["systemd"]["units"], "name", "rpm-ostreed.service"), nullptr);

  o.http_proxy = "http://proxy\n:80";
  auto bad = node_ignition(o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "proxy.httpProxy holds a control character");
}

TEST(NodeIgnition, ExtraIgnitionMergesLikeIgnition)
{
  auto o = base();
  o.ssh_keys = { "ssh-ed25519 AAAA one" };
  o.extra.push_back({ "extraIgnition a.ign", R"({"ignition":{"version":"3.2.0"},
    "passwd":{"users":[{"name":"ocne","sshAuthorizedKeys":["ssh-ed25519 AAAA one","ssh-ed25519 BBBB two"]},
                       {"name":"admin"}]},
    "storage":{"files":[{"path":"/etc/containers/registries.conf","mode":384}]},
    "systemd":{"units":[{"name":"crio.service","enabled":false,"dropins":[{"name":"pre-kubeadm.conf","contents":"x"}]}]}})" });
  o.extra.push_back(
    { "extraIgnitionInline", R"({"ignition":{"version":"3.4.0"},"kernelArguments":{"shouldExist":["quiet"]}})" });
  const auto j = build(o);
  EXPECT_EQ(j["ignition"]["version"], "3.4.0");
  const auto& users = j["passwd"]["users"];
  ASSERT_EQ(users.size(), 2U);
  EXPECT_EQ(users[0]["sshAuthorizedKeys"], Json({ "ssh-ed25519 AAAA one", "ssh-ed25519 BBBB two" }));
  EXPECT_EQ(users[0]["shell"], "/usr/bin/rescue.sh");
  const auto* registries = find(j["storage"]["files"], "path", "/etc/containers/registries.conf");
  ASSERT_NE(registries, nullptr);
  EXPECT_EQ((*registries)["mode"], 384);
  EXPECT_TRUE((*registries)["overwrite"].get<bool>());
  const auto* crio = find(j["systemd"]["units"], "name", "crio.service");
  EXPECT_EQ((*crio)["enabled"], false);
  EXPECT_EQ((*find((*crio)["dropins"], "name", "pre-kubeadm.conf"))["contents"], "x");
  EXPECT_EQ(j["kernelArguments"]["shouldExist"], Json({ "quiet" }));
}

TEST(NodeIgnition, BadExtraIgnitionNamesItsOrigin)
{
  const auto message = [](std::string text) {
    auto o = base();
    o.extra.push_back({ "extraIgnition /x/a.ign", std::move(text) });
    auto r = node_ignition(o);
    return r ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(message("{\"ignition\": {\"version\": \"3.4.0\"}"),
            "extraIgnition /x/a.ign: not valid JSON at byte 34: syntax error while parsing object - unexpected "
            "end of input; expected '}'");
  EXPECT_EQ(message("variant: fcos\nversion: 1.5.0\n"),
            "extraIgnition /x/a.ign: not an Ignition JSON config; Butane YAML is not supported for oci and oxide "
            "clusters yet (translate it with `butane` first)");
  EXPECT_EQ(message("[]"), "extraIgnition /x/a.ign: an Ignition config must be a JSON object");
  EXPECT_EQ(message("{}"), "extraIgnition /x/a.ign: ignition.version is missing");
  EXPECT_EQ(message("{\"ignition\": {\"version\": \"2.3.0\"}}"),
            "extraIgnition /x/a.ign: Ignition spec version 2.3.0 is not supported; OCK nodes read 3.0.0 to 3.4.0");
}

TEST(NodeIgnition, OstreeReferences)
{
  auto r = parse_ostree_reference("ostree-remote-registry:ocne:registry.example.com/ock-ostree");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->transport, "ostree-remote-registry:ocne");
  EXPECT_EQ(r->image, "registry.example.com/ock-ostree");
  EXPECT_EQ(parse_ostree_reference("ostree-unverified-registry:registry.example.com:5000/ock").value().image,
            "registry.example.com:5000/ock");
  EXPECT_EQ(parse_ostree_reference("ostree-unverified-registry:registry.example.com/ock:1.33").error().message(),
            "osRegistry 'ostree-unverified-registry:registry.example.com/ock:1.33' must name an image without a tag "
            "(the tag is osTag)");
  EXPECT_EQ(parse_ostree_reference("registry.example.com/ock").error().message(),
            "osRegistry 'registry.example.com/ock' is not an ostree reference such as "
            "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree");
}

TEST(NodeIgnition, DataUrlsPickTheShorterEncoding)
{
  EXPECT_EQ(data_url("plain/text.1"), "data:,plain/text.1");
  EXPECT_EQ(data_url("a b\n"), "data:,a%20b%0A");
  EXPECT_EQ(data_url("\x01\x02\x03\x04\x05\x06"), "data:;base64,AQIDBAUG");
  EXPECT_EQ(data_url("\xff\xfe"), "data:,%FF%FE");
  EXPECT_EQ(data_url("\xff\xfe\xfd\xfc\xfb\xfa\xf9"), "data:;base64,//79/Pv6+Q==");
  EXPECT_EQ(data_url(""), "data:,");
}

} // namespace
} // namespace ocne::cluster_templates
