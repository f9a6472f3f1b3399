#include "pkg/clusterctl/repository.hpp"

#include "pkg/clusterctl/stack.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/sha256.hpp"
#include "tests/support/components_release.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/shared_dir.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>

namespace ocne::clusterctl {
namespace {

// A release server with GitHub's shape (302 to the bytes) over HTTPS.
class ComponentSourceTest : public test::TempDirTest
{
protected:
  void
  SetUp() override
  {
    const auto ca = test::make_test_ca();
    const auto cert = test::make_test_cert(ca, "localhost", { "IP:127.0.0.1", "DNS:localhost" });
    const auto cert_file = write("tls/cert.pem", cert.cert_pem);
    const auto key_file = write("tls/key.pem", cert.key_pem);
    ca_file = write("tls/ca.pem", ca.cert_pem);
    server = std::make_unique<test::TestHttpServer>(cert_file.string(), key_file.string());
    files = { { "/kubernetes-sigs/cluster-api/releases/download/v1.10.8/core-components.yaml", "kind: core\n" },
              { "/kubernetes-sigs/cluster-api/releases/download/v1.10.8/metadata.yaml", "releaseSeries: []\n" },
              { "/kubernetes-sigs/cluster-api/releases/download/v1.10.9/core-components.yaml", "kind: core-1.10.9\n" },
              { "/mirror/cluster-api/v1.10.8/core-components.yaml", "kind: from-configured-url\n" } };
    seen = test::serve_release(*server, files);
    // The configured base URL serves <label>/<version>/<file> directly.
    server->routes().Get(R"(/mirror/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      const auto it = files.find(req.path);
      if (it == files.end()) {
        res.status = 404;
        return;
      }
      res.set_content(it->second, "text/yaml");
    });
    server->start();
  }

  SourceSettings
  settings()
  {
    SourceSettings s;
    s.env = Environment::from_map({ { "HOME", (dir() / "home").string() },
                                    { "OCNE_GITHUB_URL", server->url() },
                                    { "OCNE_COMPONENTS_CA_BUNDLE", ca_file.string() },
                                    { "GITHUB_TOKEN", "ghp_not_a_real_token" } });
    s.cache_dir = dir() / "home/.ocne/providers";
    s.max_attempts = 3;
    return s;
  }

  static const Component&
  core()
  {
    static const Component c = oracle_core();
    return c;
  }

  std::unique_ptr<test::TestHttpServer> server;
  std::map<std::string, std::string> files;
  std::shared_ptr<test::ReleaseRequests> seen;
  std::filesystem::path ca_file;
};

// Every log line at debug level while `body` runs.
std::vector<std::string>
logged_during(const std::function<void()>& body)
{
  std::vector<std::string> lines;
  std::mutex mutex;
  log::set_level(log::Level::trace);
  log::set_sink([&](const log::Record& r) {
    const std::lock_guard lock(mutex);
    lines.emplace_back(r.message);
  });
  body();
  log::set_sink({});
  log::set_level(log::Level::info);
  return lines;
}

TEST_F(ComponentSourceTest, DownloadsTheReleaseFileFollowingTheRedirectSendsTheTokenToGithubOnlyAndCachesIt)
{
  ComponentSource source(settings(), null_progress());
  auto file = source.fetch(core(), "core-components.yaml");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->text, "kind: core\n");
  EXPECT_EQ(file->origin,
            server->url() + "/kubernetes-sigs/cluster-api/releases/download/v1.10.8/core-components.yaml");
  {
    const std::lock_guard lock(seen->mutex);
    ASSERT_EQ(seen->paths.size(), 2u); // the release path, then the redirect target
    EXPECT_EQ(seen->authorizations[0], "Bearer ghp_not_a_real_token");
  }
  const auto cached = dir() / "home/.ocne/providers/cluster-api/v1.10.8/core-components.yaml";
  EXPECT_EQ(*fs::read_file(cached), "kind: core\n");
  EXPECT_EQ(*fs::read_file(cached.string() + ".sha256"), sha256_hex("kind: core\n") + "\n");

  // Once cached, nothing is downloaded again.
  auto again = source.fetch(core(), "core-components.yaml");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->origin, "cache " + cached.string());
  EXPECT_EQ(seen->count("core-components.yaml"), 2);
}

TEST_F(ComponentSourceTest, RetriesA503AndABodyThatBreaksOff)
{
  server->faults().fail_next(
    1, { .kind = test::Fault::Kind::status, .status = 503, .retry_after = 0 }, "GET", "/kubernetes-sigs");
  server->faults().fail_next(1, { .kind = test::Fault::Kind::drop_mid_body }, "GET", "/objects");
  ComponentSource source(settings(), null_progress());
  auto file = source.fetch(core(), "core-components.yaml");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->text, "kind: core\n");
  EXPECT_EQ(server->faults().injected(), 2);
}

TEST_F(ComponentSourceTest, AChangedCachedFileIsRefusedWithItsPath)
{
  ComponentSource source(settings(), null_progress());
  ASSERT_TRUE(source.fetch(core(), "core-components.yaml"));
  const auto cached = dir() / "home/.ocne/providers/cluster-api/v1.10.8/core-components.yaml";
  ASSERT_TRUE(fs::write_file_atomic(cached, "kind: tampered\n"));
  auto file = source.fetch(core(), "core-components.yaml");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().message(),
            "cached file " + cached.string() + " does not match the SHA-256 recorded when it was downloaded (" +
              sha256_hex("kind: core\n") + "); delete it to download it again");
}

TEST_F(ComponentSourceTest, OverridesFolderWinsThenTheConfiguredFolderThenClusterctlYaml)
{
  auto s = settings();
  write("home/.config/cluster-api/overrides/cluster-api/v1.10.8/core-components.yaml", "kind: override\n");
  write("configured/cluster-api/v1.10.8/core-components.yaml", "kind: configured\n");
  write("configured/cluster-api/v1.10.8/metadata.yaml", "kind: configured-metadata\n");
  s.configured = (dir() / "configured").string();
  ComponentSource source(s, null_progress());
  auto core_file = source.fetch(core(), "core-components.yaml");
  ASSERT_TRUE(core_file) << core_file.error().message();
  EXPECT_EQ(core_file->text, "kind: override\n");
  EXPECT_EQ(core_file->origin,
            "overrides folder " +
              (dir() / "home/.config/cluster-api/overrides/cluster-api/v1.10.8/core-components.yaml").string());
  auto metadata = source.fetch(core(), "metadata.yaml");
  ASSERT_TRUE(metadata) << metadata.error().message();
  EXPECT_EQ(metadata->text, "kind: configured-metadata\n");
  EXPECT_EQ(seen->count(".yaml"), 0); // nothing downloaded
}

// A base URL in providerComponents is downloaded once: a second run (a new
// source, as a new `ocne` process) reads the cache and asks nothing. The
// mirror is not GitHub, so GITHUB_TOKEN never reaches it, and the token is in
// no log line, not even at trace level while GitHub gets it.
TEST_F(ComponentSourceTest, AConfiguredBaseUrlIsDownloadedOnceThenCachedAndNeverGetsTheToken)
{
  // The mirror is another host than (the stand-in for) GitHub: another port.
  std::mutex mirror_mutex;
  std::vector<std::pair<std::string, std::string>> mirror_requests; // path, Authorization
  test::TestHttpServer mirror((dir() / "tls/cert.pem").string(), (dir() / "tls/key.pem").string());
  mirror.routes().Get(R"(/mirror/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    {
      const std::lock_guard lock(mirror_mutex);
      mirror_requests.push_back({ req.path, req.get_header_value("Authorization") });
    }
    const auto it = files.find(req.path);
    if (it == files.end()) {
      res.status = 404;
      return;
    }
    res.set_content(it->second, "text/yaml");
  });
  mirror.start();
  auto s = settings();
  s.configured = mirror.url() + "/mirror";
  const auto lines = logged_during([&] {
    ComponentSource source(s, null_progress());
    auto file = source.fetch(core(), "core-components.yaml");
    ASSERT_TRUE(file) << file.error().message();
    EXPECT_EQ(file->text, "kind: from-configured-url\n");
    // GitHub gets the token in the same run.
    ComponentSource github(settings(), null_progress());
    ASSERT_TRUE(github.fetch(core(), "metadata.yaml"));
  });
  {
    const std::lock_guard lock(mirror_mutex);
    ASSERT_EQ(mirror_requests.size(), 1u);
    for (const auto& [path, authorization] : mirror_requests) {
      EXPECT_EQ(authorization, "") << path;
    }
  }
  {
    const std::lock_guard lock(seen->mutex);
    ASSERT_FALSE(seen->authorizations.empty()); // metadata.yaml, from GitHub with the token
    EXPECT_EQ(seen->authorizations[0], "Bearer ghp_not_a_real_token");
  }
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("ghp_not_a_real_token"), std::string::npos) << line;
  }
  const auto cached = dir() / "home/.ocne/providers/cluster-api/v1.10.8/core-components.yaml";
  EXPECT_EQ(*fs::read_file(cached), "kind: from-configured-url\n");

  // The next run: from the cache, not one request.
  ComponentSource again(s, null_progress());
  auto file = again.fetch(core(), "core-components.yaml");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->origin, "cache " + cached.string());
  const std::lock_guard lock(mirror_mutex);
  EXPECT_EQ(mirror_requests.size(), 1u);
}

// A local clusterctl.yaml provider path laid out as {base}/{label}/{version}/{file}
// pins that version (and image tags follow it); `cert-manager: {version}`
// pins cert-manager's. Both are what is fetched, with no download. A
// providerComponents folder that has the file still comes first.
TEST_F(ComponentSourceTest, ALocalClusterctlPathOrCertManagerVersionPinsTheVersion)
{
  write("repo/cluster-api/v1.10.9/core-components.yaml", "kind: local-1.10.9\n");
  // cert-manager: a version alone (no url); its files are looked up at it.
  write("home/.config/cluster-api/overrides/cert-manager/v1.19.5/cert-manager.yaml", "kind: cert-manager-1.19.5\n");
  auto s = settings();
  s.clusterctl.providers.push_back(
    { "cluster-api", (dir() / "repo/cluster-api/v1.10.9/core-components.yaml").string(), "CoreProvider" });
  s.clusterctl.cert_manager_version = "v1.19.5";
  {
    ComponentSource source(s, null_progress());
    const auto pinned = source.resolve(core());
    EXPECT_EQ(pinned.version, "v1.10.9");
    EXPECT_EQ(pinned.images[0].tag, "v1.10.9");
    EXPECT_EQ(pinned.release_url, "https://github.com/kubernetes-sigs/cluster-api/releases/download/v1.10.9");
    auto file = source.fetch(pinned, "core-components.yaml");
    ASSERT_TRUE(file) << file.error().message();
    EXPECT_EQ(file->text, "kind: local-1.10.9\n");

    const auto cert_manager_row = clusterctl::cert_manager(oracle_cert_manager_images());
    const auto cert_manager = source.resolve(cert_manager_row);
    EXPECT_EQ(cert_manager.version, "v1.19.5");
    EXPECT_EQ(cert_manager.release_url, "https://github.com/cert-manager/cert-manager/releases/download/v1.19.5");
    for (const auto& image : cert_manager.images) {
      EXPECT_EQ(image.tag, "v1.19.5") << image.name;
    }
    auto cm = source.fetch(cert_manager, "cert-manager.yaml");
    ASSERT_TRUE(cm) << cm.error().message();
    EXPECT_EQ(cm->text, "kind: cert-manager-1.19.5\n");
    EXPECT_EQ(seen->count(".yaml"), 0); // nothing downloaded
  }
  // providerComponents wins over clusterctl.yaml's provider entry.
  write("configured/cluster-api/v1.10.9/core-components.yaml", "kind: configured-1.10.9\n");
  s.configured = (dir() / "configured").string();
  ComponentSource source(s, null_progress());
  auto file = source.fetch(source.resolve(core()), "core-components.yaml");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->text, "kind: configured-1.10.9\n");
}

// The overrides folder is looked up by the stack's version: another
// version's files there change nothing; the stack's version is fetched
// from its release.
TEST_F(ComponentSourceTest, AnOverridesFolderWithAnotherVersionsFilesDoesNotChangeTheVersion)
{
  write("home/.config/cluster-api/overrides/cluster-api/v1.10.9/core-components.yaml", "kind: override-1.10.9\n");
  ComponentSource source(settings(), null_progress());
  const auto resolved = source.resolve(core());
  EXPECT_EQ(resolved.version, "v1.10.8");
  EXPECT_EQ(resolved.images[0].tag, "v1.10.8");
  auto file = source.fetch(resolved, "core-components.yaml");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->text, "kind: core\n");
  EXPECT_EQ(file->origin,
            server->url() + "/kubernetes-sigs/cluster-api/releases/download/v1.10.8/core-components.yaml");
}

// clusterctl's overrides folder: $XDG_CONFIG_HOME/cluster-api/overrides, and
// ~/.cluster-api/overrides when the XDG folder does not exist.
TEST_F(ComponentSourceTest, TheOverridesFolderIsUnderXdgConfigHomeElseTheLegacyFolder)
{
  write("home/.cluster-api/overrides/cluster-api/v1.10.8/core-components.yaml", "kind: legacy\n");
  auto s = settings();
  {
    ComponentSource source(s, null_progress());
    EXPECT_EQ(source.overrides_folder(), dir() / "home/.cluster-api/overrides");
    auto file = source.fetch(core(), "core-components.yaml");
    ASSERT_TRUE(file) << file.error().message();
    EXPECT_EQ(file->text, "kind: legacy\n");
  }
  write("xdg/cluster-api/overrides/cluster-api/v1.10.8/core-components.yaml", "kind: xdg\n");
  s.env = Environment::from_map({ { "HOME", (dir() / "home").string() },
                                  { "XDG_CONFIG_HOME", (dir() / "xdg").string() },
                                  { "OCNE_GITHUB_URL", server->url() },
                                  { "OCNE_COMPONENTS_CA_BUNDLE", ca_file.string() } });
  ComponentSource source(s, null_progress());
  EXPECT_EQ(source.overrides_folder(), dir() / "xdg/cluster-api/overrides");
  auto file = source.fetch(core(), "core-components.yaml");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->text, "kind: xdg\n");
  EXPECT_EQ(seen->count(".yaml"), 0);
}

TEST_F(ComponentSourceTest, AClusterctlProviderUrlWithATagPinsThatVersion)
{
  auto s = settings();
  s.clusterctl.providers.push_back(
    { "cluster-api",
      server->url() + "/kubernetes-sigs/cluster-api/releases/v1.10.9/core-components.yaml",
      "CoreProvider" });
  // clusterctl writes .../releases/download/<tag>/<file>; the short form is a plain folder URL.
  s.clusterctl.providers.back().url =
    server->url() + "/kubernetes-sigs/cluster-api/releases/download/v1.10.9/core-components.yaml";
  ComponentSource source(s, null_progress());
  const auto pinned = source.resolve(core());
  EXPECT_EQ(pinned.version, "v1.10.9");
  EXPECT_EQ(pinned.images[0].tag, "v1.10.9");
  auto file = source.fetch(pinned, "core-components.yaml");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->text, "kind: core-1.10.9\n");
}

TEST_F(ComponentSourceTest, NoNetworkSaysWhichFileWhichUrlAndWhereToPutIt)
{
  auto s = settings();
  const std::string url = server->url();
  server->stop();
  ComponentSource source(s, null_progress());
  auto file = source.fetch(core(), "core-components.yaml");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().kind(), ErrorKind::unavailable);
  const std::string& m = file.error().message();
  EXPECT_TRUE(m.starts_with("cannot download core-components.yaml of cluster-api v1.10.8 from " + url +
                            "/kubernetes-sigs/cluster-api/releases/download/v1.10.8/core-components.yaml: "))
    << m;
  EXPECT_NE(m.find("put the file at " +
                   (dir() / "home/.config/cluster-api/overrides/cluster-api/v1.10.8/core-components.yaml").string()),
            std::string::npos)
    << m;
  EXPECT_EQ(m.find("ghp_not_a_real_token"), std::string::npos);
}

} // namespace
} // namespace ocne::clusterctl

namespace ocne::clusterctl {
namespace {

class SourceSettingsTest : public test::TempDirTest
{};

TEST_F(SourceSettingsTest, CacheLivesInOcnesStateFolderAndClusterctlYamlIsRead)
{
  write("home/.cluster-api/clusterctl.yaml", "overridesFolder: /srv/overrides\n");
  auto env =
    Environment::from_map({ { "HOME", (dir() / "home").string() }, { "OCNE_HOME", (dir() / "state").string() } });
  auto s = source_settings("https://mirror.example/capi", env);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->cache_dir, dir() / "state" / "providers");
  EXPECT_EQ(s->configured, "https://mirror.example/capi");
  EXPECT_EQ(s->clusterctl.overrides_folder, "/srv/overrides");
  ComponentSource source(*s, null_progress());
  EXPECT_EQ(source.overrides_folder(), "/srv/overrides");

  write("home/.cluster-api/clusterctl.yaml", "providers: 3\n");
  auto broken = source_settings("", env);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message(),
            (dir() / "home/.cluster-api/clusterctl.yaml").string() + ": providers must be a list");
}

} // namespace
} // namespace ocne::clusterctl
