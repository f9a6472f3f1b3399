#include "pkg/core/log.hpp"
#include "tests/component/pkg/oxide/fixture.hpp"

#include <gtest/gtest.h>

namespace ocne::oxide {
namespace {

using ocne::test::oxide_fault;

class OxideClientTest : public test::OxideFixture
{};

TEST(OxideNames, ValidNames)
{
  EXPECT_TRUE(valid_name("k8s"));
  EXPECT_TRUE(valid_name("ocne-1-33"));
  EXPECT_TRUE(valid_name("aB9"));
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name("1abc"));
  EXPECT_FALSE(valid_name("Abc"));
  EXPECT_FALSE(valid_name("abc-"));
  EXPECT_FALSE(valid_name("a_b"));
  EXPECT_FALSE(valid_name(std::string(64, 'a')));
  EXPECT_TRUE(valid_name(std::string(63, 'a')));
  EXPECT_FALSE(valid_name("4f8c2a7e-0000-4000-8000-000000000001"));
  EXPECT_EQ(normalize_host("oxide.example.com/"), "https://oxide.example.com");
  EXPECT_EQ(normalize_host("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
}

TEST_F(OxideClientTest, RefusedTokenSaysSo)
{
  Client client(client_options("wrong-token"));
  auto user = client.current_user();
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().kind(), ErrorKind::auth);
  EXPECT_EQ(user.error().message().rfind("check the Oxide token: credentials missing or invalid (HTTP 401, "
                                         "Unauthorized, request id ",
                                         0),
            0U)
    << user.error().message();
  EXPECT_NE(user.error().message().find("; the Oxide API at " + m_server->url() + " refused the token"),
            std::string::npos);
  EXPECT_EQ(user.error().message().find("wrong-token"), std::string::npos);
  EXPECT_EQ(m_client->current_user().value(), "ocne-test");
}

TEST_F(OxideClientTest, ErrorsCarryOxidesErrorBody)
{
  auto p = m_client->get_project("nope");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::not_found);
  const auto& m = p.error().message();
  EXPECT_EQ(m.rfind("look up project \"nope\": not found: project with name \"nope\" (HTTP 404, ObjectNotFound, "
                    "request id ",
                    0),
            0U)
    << m;
  auto created = m_client->create_project("k8s", "again");
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind(), ErrorKind::already_exists);
  EXPECT_EQ(created.error().message().rfind("create project \"k8s\": already exists: project \"k8s\" (HTTP 400, "
                                            "ObjectAlreadyExists",
                                            0),
            0U);
}

TEST_F(OxideClientTest, ListsWalkEveryPage)
{
  for (const char* name : { "p1", "p2", "p3", "p4" }) {
    ASSERT_TRUE(m_client->create_project(name, ""));
  }
  auto projects = m_client->list_projects();
  ASSERT_TRUE(projects) << projects.error().message();
  std::vector<std::string> names;
  for (const auto& p : *projects) {
    names.push_back(p.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{ "k8s", "p1", "p2", "p3", "p4" }));
  EXPECT_GE(m_server->count("project_list"), 3);
}

TEST_F(OxideClientTest, RetriesOn503And429ForIdempotentCalls)
{
  m_server->faults().fail_next(2, oxide_fault(503), "GET", "/v1/projects");
  m_server->faults().fail_next(1, oxide_fault(429, 0), "GET", "/v1/projects");
  auto p = m_client->get_project("k8s");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->name, "k8s");
  EXPECT_EQ(m_server->faults().injected(), 3);
}

TEST_F(OxideClientTest, GivesUpWithTheLastErrorAfterRetries)
{
  m_server->faults().fail_next(10, oxide_fault(503), "GET", "/v1/projects");
  auto p = m_client->get_project("k8s");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::transient);
  EXPECT_EQ(
    p.error().message(),
    "look up project \"k8s\": injected fault (HTTP 503, ServiceNotAvailable, request id injected-fault, after 5 "
    "attempts)");
}

TEST_F(OxideClientTest, NonIdempotentCreateIsNotRetriedOn503)
{
  m_server->faults().fail_next(1, oxide_fault(503), "POST", "/v1/floating-ips");
  auto f = m_client->create_floating_ip("k8s", FloatingIpCreate{ .name = "api" });
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind(), ErrorKind::transient);
  EXPECT_EQ(m_server->count("floating_ip_create"), 0); // the fault hook answered
  EXPECT_TRUE(m_client->create_floating_ip("k8s", FloatingIpCreate{ .name = "api" }));
}

TEST_F(OxideClientTest, ConnectionErrorsAreRetriedAndReported)
{
  ClientOptions o = client_options();
  o.host = "http://127.0.0.1:1"; // nothing listens there
  o.retry.max_attempts = 2;
  Client client(o);
  auto p = client.get_project("k8s");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::transient);
  EXPECT_EQ(p.error().message().rfind("look up project \"k8s\": GET http://127.0.0.1:1/v1/projects/k8s: ", 0), 0U)
    << p.error().message();
}

class OxideOldRackTest : public test::OxideFixture
{
  void
  customize(ocne::test::OxideServerOptions& o) override
  {
    o.max_api_version = "2025120100.0.0";
  }
};

TEST_F(OxideOldRackTest, FallsBackWithoutTheApiVersionHeader)
{
  log::Capture capture;
  auto p = m_client->get_project("k8s");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_NE(capture.text().find("rejected api-version 2026072800.0.0; retrying without the header"), std::string::npos)
    << capture.text();
  // Only the first call paid for the fallback.
  ASSERT_TRUE(m_client->get_project("k8s"));
  EXPECT_EQ(m_server->count("project_view"), 3);
}

TEST_F(OxideClientTest, VpcsSubnetsAndTheirErrors)
{
  auto vpcs = m_client->list_vpcs("k8s");
  ASSERT_TRUE(vpcs) << vpcs.error().message();
  ASSERT_EQ(vpcs->size(), 1U);
  EXPECT_EQ((*vpcs)[0].name, "default");
  auto subnet = m_client->get_subnet("k8s", "default", "default");
  ASSERT_TRUE(subnet) << subnet.error().message();
  EXPECT_EQ(m_client->get_subnet("", "", subnet->id).value().name, "default");
  auto missing = m_client->get_subnet("k8s", "default", "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message().rfind("look up subnet \"nope\" of VPC \"default\" in project \"k8s\": not "
                                            "found: vpc-subnet with name \"nope\"",
                                            0),
            0U)
    << missing.error().message();
  auto vpc = m_client->get_vpc("k8s", "nope");
  ASSERT_FALSE(vpc);
  EXPECT_EQ(vpc.error().kind(), ErrorKind::not_found);
  ASSERT_TRUE(m_client->create_vpc("k8s", "cluster", "for a cluster"));
  EXPECT_EQ(m_client->list_subnets("k8s", "cluster").value().size(), 1U);
}

TEST_F(OxideClientTest, FirewallRuleReadModifyWrite)
{
  FirewallRule api;
  api.name = "ocne-kube-api";
  api.description = "Kubernetes API server";
  api.priority = 100;
  api.targets = { { "vpc", "default" } };
  api.ports = { "6443" };
  api.protocols = { "tcp" };
  auto changed = m_client->ensure_firewall_rule("k8s", "default", api);
  ASSERT_TRUE(changed) << changed.error().message();
  EXPECT_TRUE(*changed);
  auto rules = m_client->get_firewall_rules("k8s", "default").value();
  ASSERT_EQ(rules.size(), 4U) << "the default rules survive";
  EXPECT_EQ(rules[3].name, "ocne-kube-api");
  EXPECT_TRUE(rules[3].same_as(api));
  // The ICMP rule's null "value" went back exactly as it came.
  EXPECT_EQ(rules[2].name, "allow-icmp");
  EXPECT_EQ(rules[2].protocols, std::vector<std::string>{ "icmp" });
  // A second call changes nothing and does not write.
  const int puts = m_server->count("vpc_firewall_rules_update");
  EXPECT_FALSE(m_client->ensure_firewall_rule("k8s", "default", api).value());
  EXPECT_EQ(m_server->count("vpc_firewall_rules_update"), puts);
  api.ports = { "6443", "22" };
  EXPECT_TRUE(m_client->ensure_firewall_rule("k8s", "default", api).value());
  EXPECT_EQ(m_client->get_firewall_rules("k8s", "default").value().size(), 4U);
}

TEST_F(OxideClientTest, InstancesAndFloatingIps)
{
  m_server->add_instance("k8s", "cp-0");
  m_server->add_instance("k8s", "worker-0", "stopped");
  auto list = m_client->list_instances("k8s");
  ASSERT_TRUE(list) << list.error().message();
  EXPECT_EQ(list->size(), 2U);
  auto fip = m_client->create_floating_ip("k8s", FloatingIpCreate{ .name = "api", .description = "kube api" });
  ASSERT_TRUE(fip) << fip.error().message();
  EXPECT_EQ(fip->ip.rfind("198.51.100.", 0), 0U);
  auto del = m_client->delete_instance("k8s", "cp-0");
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().kind(), ErrorKind::invalid_input);
  auto stopped = m_client->stop_instance("k8s", "cp-0");
  ASSERT_TRUE(stopped) << stopped.error().message();
  EXPECT_EQ(m_client->get_instance("k8s", "cp-0").value().run_state, "stopped");
  EXPECT_TRUE(m_client->delete_instance("k8s", "cp-0"));
  EXPECT_TRUE(m_client->delete_floating_ip("k8s", "api"));
  EXPECT_EQ(m_client->list_floating_ips("k8s").value().size(), 0U);
}

} // namespace
} // namespace ocne::oxide
