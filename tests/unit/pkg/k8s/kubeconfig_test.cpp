#include "pkg/k8s/kubeconfig.hpp"

#include "pkg/k8s/base64.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace ocne::k8s {
namespace {

class KubeconfigTest : public test::TempDirTest
{
protected:
  std::string
  config(const std::string& context, const std::string& server, const std::string& extra_user = "")
  {
    return "apiVersion: v1\nkind: Config\n"
           "clusters:\n- name: " +
           context + "\n  cluster:\n    server: " + server +
           "\n    certificate-authority-data: " + base64_encode("CA-" + context) +
           "\n"
           "users:\n- name: " +
           context + "\n  user:\n    token: tok-" + context + "\n" + extra_user + "contexts:\n- name: " + context +
           "\n  context:\n    cluster: " + context + "\n    user: " + context + "\ncurrent-context: " + context + "\n";
  }
};

TEST_F(KubeconfigTest, FilesFollowKubectlPrecedence)
{
  const fs::Path home = "/home/u";
  EXPECT_EQ(kubeconfig_files(fs::Path("/x/k"), std::string("/a:/b"), home), std::vector<fs::Path>{ "/x/k" });
  EXPECT_EQ(kubeconfig_files(std::nullopt, std::string("/a::/b:/a"), home), (std::vector<fs::Path>{ "/a", "/b" }));
  EXPECT_EQ(kubeconfig_files(std::nullopt, std::string(""), home), std::vector<fs::Path>{ "/home/u/.kube/config" });
  EXPECT_EQ(kubeconfig_files(std::nullopt, std::nullopt, home), std::vector<fs::Path>{ "/home/u/.kube/config" });
  EXPECT_EQ(kubeconfig_files(fs::Path("~/k"), std::nullopt, home), std::vector<fs::Path>{ "/home/u/k" });
}

TEST_F(KubeconfigTest, MergesFirstDefinitionWins)
{
  const auto a = write("a.yaml", config("one", "https://one:6443"));
  const auto b = write("b.yaml", config("two", "https://two:6443") + "");
  // b also defines "one" differently: a's definition must win.
  const auto c = write("c.yaml", config("one", "https://other:1"));
  auto access = load_kubeconfig({ a, b, c });
  ASSERT_TRUE(access) << access.error().message();
  EXPECT_EQ(access->server, "https://one:6443");
  EXPECT_EQ(access->context, "one");
  EXPECT_EQ(access->file, a);
  EXPECT_EQ(access->ca_pem, "CA-one");
  EXPECT_EQ(access->token.reveal(), "tok-one");

  LoadOptions options;
  options.context = "two";
  auto two = load_kubeconfig({ a, b, c }, options);
  ASSERT_TRUE(two) << two.error().message();
  EXPECT_EQ(two->server, "https://two:6443");
  EXPECT_EQ(two->file, b);
}

TEST_F(KubeconfigTest, MissingFilesInAListAreSkippedButAnExplicitOneIsAnError)
{
  const auto a = write("a.yaml", config("one", "https://one:6443"));
  auto access = load_kubeconfig({ dir() / "missing.yaml", a });
  ASSERT_TRUE(access) << access.error().message();
  EXPECT_EQ(access->context, "one");

  LoadOptions strict;
  strict.require_all = true;
  auto missing = load_kubeconfig({ dir() / "missing.yaml" }, strict);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(missing.error().message(), (dir() / "missing.yaml").string() + ": kubeconfig not found");

  auto none = load_kubeconfig({ dir() / "x", dir() / "y" });
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            "no kubeconfig found (looked for " + (dir() / "x").string() + ", " + (dir() / "y").string() + ")");
}

TEST_F(KubeconfigTest, MissingContextListsTheOnesThatExist)
{
  const auto a = write("a.yaml", config("one", "https://one:6443"));
  const auto b = write("b.yaml", config("two", "https://two:6443"));
  LoadOptions options;
  options.context = "three";
  auto access = load_kubeconfig({ a, b }, options);
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().kind(), ErrorKind::invalid_input);
  EXPECT_EQ(access.error().message(), a.string() + ": context \"three\" not found (contexts: one, two)");
}

TEST_F(KubeconfigTest, MalformedFileNamesFileAndLine)
{
  const auto a = write("bad.yaml", "apiVersion: v1\nclusters:\n- name: x\n  cluster: {server: [\n");
  auto access = load_kubeconfig({ a });
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().message(), a.string() + ":5: end of sequence flow not found");
  const auto b = write("list.yaml", "clusters: 3\n");
  auto access_b = load_kubeconfig({ b });
  ASSERT_FALSE(access_b);
  EXPECT_EQ(access_b.error().message(), b.string() + ": clusters must be a list");
}

TEST_F(KubeconfigTest, CertificateFilesResolveRelativeToTheKubeconfig)
{
  write("certs/ca.crt", "CA-PEM");
  write("certs/client.crt", "CERT-PEM");
  write("certs/client.key", "KEY-PEM");
  write("token", "  secret-token\n");
  const auto a = write("sub/../k.yaml", R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority: certs/ca.crt
users:
- name: u
  user:
    client-certificate: certs/client.crt
    client-key: certs/client.key
- name: t
  user:
    tokenFile: token
contexts:
- name: cert
  context: {cluster: c, user: u, namespace: capi}
- name: tok
  context: {cluster: c, user: t}
current-context: cert
)");
  auto access = load_kubeconfig({ a });
  ASSERT_TRUE(access) << access.error().message();
  EXPECT_EQ(access->server, "https://127.0.0.1:6443");
  EXPECT_EQ(access->ca_pem, "CA-PEM");
  EXPECT_EQ(access->client_cert_pem, "CERT-PEM");
  EXPECT_EQ(access->client_key_pem.reveal(), "KEY-PEM");
  EXPECT_EQ(access->default_namespace, "capi");
  EXPECT_FALSE(access->insecure_skip_tls_verify);
  LoadOptions tok;
  tok.context = "tok";
  auto t = load_kubeconfig({ a }, tok);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->token.reveal(), "secret-token");
  EXPECT_EQ(t->default_namespace, "default");
}

TEST_F(KubeconfigTest, UnreadableCertificateFileIsNamed)
{
  const auto a = write("k.yaml", R"(clusters:
- name: c
  cluster: {server: "https://h:1"}
users:
- name: u
  user: {client-certificate: nope.crt, client-key: nope.key}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
)");
  auto access = load_kubeconfig({ a });
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().message(),
            a.string() + ": user \"u\": client-certificate: " + (dir() / "nope.crt").string() +
              ": no such file or directory");
}

TEST_F(KubeconfigTest, InsecureOnlyWhenSaidAndBadBase64IsReported)
{
  const auto a = write("k.yaml", R"(clusters:
- name: c
  cluster: {server: "https://h:1", insecure-skip-tls-verify: true}
- name: d
  cluster: {server: "https://h:2", certificate-authority-data: "!!notbase64"}
contexts:
- name: x
  context: {cluster: c}
- name: y
  context: {cluster: d}
current-context: x
)");
  auto access = load_kubeconfig({ a });
  ASSERT_TRUE(access) << access.error().message();
  EXPECT_TRUE(access->insecure_skip_tls_verify);
  LoadOptions y;
  y.context = "y";
  auto bad = load_kubeconfig({ a }, y);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), a.string() + ": cluster \"d\": certificate-authority-data is not valid base64");
}

TEST_F(KubeconfigTest, DanglingReferencesAndPluginsAreClear)
{
  const auto a = write("k.yaml", R"(clusters:
- name: c
  cluster: {server: "https://h:1"}
users:
- name: e
  user:
    exec: {command: aws}
contexts:
- name: x
  context: {cluster: missing}
- name: y
  context: {cluster: c, user: e}
- name: z
  context: {cluster: c, user: nobody}
)");
  LoadOptions o;
  auto none = load_kubeconfig({ a }, o);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            a.string() + ": no current-context is set and no context was given (contexts: x, y, z)");
  o.context = "x";
  EXPECT_EQ(load_kubeconfig({ a }, o).error().message(),
            a.string() + ": context \"x\" refers to cluster \"missing\", which is not defined");
  o.context = "y";
  EXPECT_EQ(
    load_kubeconfig({ a }, o).error().message(),
    a.string() +
      ": user \"e\" uses an exec credential plugin, which ocne does not run; use a client certificate or a token");
  o.context = "z";
  EXPECT_EQ(load_kubeconfig({ a }, o).error().message(),
            a.string() + ": context \"z\" refers to user \"nobody\", which is not defined");
}

TEST_F(KubeconfigTest, WriteIsPrivateAtomicAndLoadsBack)
{
  KubeconfigSpec spec;
  spec.name = "demo";
  spec.server = "https://10.0.0.1:6443";
  spec.ca_pem = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
  spec.client_cert_pem = "cert";
  spec.client_key_pem = Secret("key");
  const auto content = make_kubeconfig(spec);
  const auto path = dir() / "kube" / "kubeconfig.demo";
  ASSERT_TRUE(write_kubeconfig(path, content.reveal()));
  EXPECT_EQ(*fs::file_mode(path), 0600u);
  EXPECT_EQ(*fs::file_mode(path.parent_path()), 0700u);
  auto access = load_kubeconfig({ path });
  ASSERT_TRUE(access) << access.error().message();
  EXPECT_EQ(access->server, spec.server);
  EXPECT_EQ(access->ca_pem, spec.ca_pem);
  EXPECT_EQ(access->client_key_pem.reveal(), "key");

  auto bad = write_kubeconfig(dir() / "bad", "kind: Config\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            (dir() / "bad").string() + ": refusing to write a kubeconfig that defines no cluster");
  EXPECT_FALSE(std::filesystem::exists(dir() / "bad"));
}

TEST_F(KubeconfigTest, LoadFromTextNamesTheSource)
{
  auto access = load_kubeconfig_text("clusters: []\n", "secret capi/demo-kubeconfig", dir());
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().message(),
            "secret capi/demo-kubeconfig: no current-context is set and no context was given (contexts: none defined)");
}

} // namespace
} // namespace ocne::k8s
