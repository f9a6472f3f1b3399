#pragma once

// The Cluster API clouds' stacks (CloudProvider::stack(), from the
// registry) and their release files, made from the real manifests in
// ../shared/components, laid out as clusterctl's overrides folder
// (<label>/<version>/<file>) or served by a test server. The Oracle kubeadm
// files lose their Ignition CRD fields first, as upstream v1.10.8's release
// files lack them, so the install has to add them back.

#include "pkg/clusterctl/stack.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ocne::test {

// The names of the clouds that have a Cluster API stack, in registry order.
std::vector<std::string> stack_names();
// The stack of that cloud; throws when it has none.
const clusterctl::Stack& stack_of(const std::string& provider);

// "<label>/<version>/<file>" -> content, for every file of the stack.
// Requires ../shared (callers skip first).
std::map<std::string, std::string> stack_release_files(const std::string& provider);

// Writes them below folder; returns folder.
std::filesystem::path write_stack_release(const std::string& provider, const std::filesystem::path& folder);

// A shared components file's text ("capi-ocne-v1.10.8-core-components.yaml").
std::string shared_component(const std::string& name);

// The text with the Ignition variant/version fields removed from the
// kubeadm CRDs' schemas (what upstream v1.10.8 ships).
std::string without_ignition_fields(const std::string& text);

class TestHttpServer;

// The stack's files by the path of their release URL below https://github.com
// ("/kubernetes-sigs/cluster-api/releases/download/v1.10.8/core-components.yaml").
std::map<std::string, std::string> stack_release_paths(const std::string& provider);

// What a release server saw.
struct ReleaseRequests
{
  std::mutex mutex;
  std::vector<std::string> paths;          // every GET, redirects included
  std::vector<std::string> authorizations; // the Authorization header of each
  int count(const std::string& suffix);
};

// Serves files like GitHub does: GET <path> of a release answers 302 to
// /objects<path>, which returns the bytes. Register before server.start().
std::shared_ptr<ReleaseRequests> serve_release(TestHttpServer& server, std::map<std::string, std::string> files);

} // namespace ocne::test
