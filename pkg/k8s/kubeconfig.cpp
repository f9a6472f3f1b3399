#include "pkg/k8s/kubeconfig.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/yaml.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <system_error>

namespace ocne::k8s {

using nlohmann::json;

namespace {

// One named entry (cluster, user or context) and the file it came from.
struct Entry
{
  json body;
  fs::Path file;
};

struct Merged
{
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::vector<std::string> context_order;
  std::string current_context;
  fs::Path current_context_file;
  std::vector<fs::Path> files_read;
};

std::string
display(const fs::Path& p)
{
  return p.string();
}

// Reads the named list ("clusters", "users", "contexts") of one file.
Status
merge_list(const json& doc,
           const char* list_name,
           const char* body_name,
           const fs::Path& file,
           std::map<std::string, Entry>& into,
           std::vector<std::string>* order)
{
  const auto it = doc.find(list_name);
  if (it == doc.end() || it->is_null()) {
    return {};
  }
  if (!it->is_array()) {
    return make_error(ErrorKind::invalid_input, "{}: {} must be a list", display(file), list_name);
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& item = (*it)[i];
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
        item["name"].get<std::string>().empty()) {
      return make_error(ErrorKind::invalid_input, "{}: {}[{}] has no name", display(file), list_name, i);
    }
    const auto name = item["name"].get<std::string>();
    json body = item.contains(body_name) ? item[body_name] : json::object();
    if (body.is_null()) {
      body = json::object();
    }
    if (!body.is_object()) {
      return make_error(ErrorKind::invalid_input,
                        "{}: {} {}: {} must be a mapping",
                        display(file),
                        body_name,
                        str::quote(name),
                        body_name);
    }
    if (into.count(name) == 0) {
      into.emplace(name, Entry{ std::move(body), file });
      if (order != nullptr) {
        order->push_back(name);
      }
    }
  }
  return {};
}

Status
merge_document(const json& doc, const fs::Path& file, Merged& merged)
{
  if (doc.is_null()) {
    return {}; // an empty file merges as nothing, like kubectl
  }
  if (!doc.is_object()) {
    return make_error(ErrorKind::invalid_input, "{}: not a kubeconfig (expected a mapping)", display(file));
  }
  if (const auto kind = doc.find("kind"); kind != doc.end() && kind->is_string() && *kind != "Config") {
    return make_error(ErrorKind::invalid_input,
                      "{}: not a kubeconfig (kind is {}, expected Config)",
                      display(file),
                      str::quote(kind->get<std::string>()));
  }
  OCNE_TRY(merge_list(doc, "clusters", "cluster", file, merged.clusters, nullptr));
  OCNE_TRY(merge_list(doc, "users", "user", file, merged.users, nullptr));
  OCNE_TRY(merge_list(doc, "contexts", "context", file, merged.contexts, &merged.context_order));
  if (merged.current_context.empty()) {
    if (const auto cc = doc.find("current-context");
        cc != doc.end() && cc->is_string() && !cc->get<std::string>().empty()) {
      merged.current_context = cc->get<std::string>();
      merged.current_context_file = file;
    }
  }
  merged.files_read.push_back(file);
  return {};
}

std::string
string_field(const json& body, const char* name)
{
  const auto it = body.find(name);
  if (it == body.end() || !it->is_string()) {
    return {};
  }
  return it->get<std::string>();
}

bool
bool_field(const json& body, const char* name)
{
  const auto it = body.find(name);
  if (it == body.end()) {
    return false;
  }
  if (it->is_boolean()) {
    return it->get<bool>();
  }
  return it->is_string() && it->get<std::string>() == "true";
}

// Reads "<name>-data" (base64) or "<name>" (a file, relative to the kubeconfig).
// what names the owner for messages: `cluster "x"`.
Result<std::string>
data_or_file(const json& body,
             const std::string& name,
             const std::string& data_name,
             const fs::Path& kubeconfig,
             const std::string& what)
{
  const auto data = string_field(body, data_name.c_str());
  if (!data.empty()) {
    auto decoded = base64_decode(data);
    if (!decoded) {
      return make_error(
        ErrorKind::invalid_input, "{}: {}: {} is not valid base64", display(kubeconfig), what, data_name);
    }
    return std::move(*decoded);
  }
  const auto file = string_field(body, name.c_str());
  if (file.empty()) {
    return std::string();
  }
  fs::Path path(file);
  if (path.is_relative()) {
    path = kubeconfig.parent_path() / path;
  }
  auto content = fs::read_file(path, 16 << 20);
  if (!content) {
    return make_error(content.error().kind() == ErrorKind::not_found ? ErrorKind::invalid_input
                                                                     : content.error().kind(),
                      "{}: {}: {}: {}",
                      display(kubeconfig),
                      what,
                      name,
                      content.error().message());
  }
  return std::move(*content);
}

std::string
names_of(const std::vector<std::string>& names)
{
  return names.empty() ? std::string("none defined") : str::join(names, ", ");
}

std::string
source_name(const Merged& merged, const std::vector<fs::Path>& files)
{
  if (!merged.current_context_file.empty()) {
    return display(merged.current_context_file);
  }
  if (!merged.files_read.empty()) {
    return display(merged.files_read.front());
  }
  return files.empty() ? std::string("kubeconfig") : display(files.front());
}

Result<ClusterAccess>
resolve(const Merged& merged, const std::vector<fs::Path>& files, const LoadOptions& options)
{
  const auto where = source_name(merged, files);
  std::string context_name = options.context;
  if (context_name.empty()) {
    context_name = merged.current_context;
  }
  if (context_name.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: no current-context is set and no context was given (contexts: {})",
                      where,
                      names_of(merged.context_order));
  }
  const auto ctx_it = merged.contexts.find(context_name);
  if (ctx_it == merged.contexts.end()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: context {} not found (contexts: {})",
                      where,
                      json(context_name).dump(),
                      names_of(merged.context_order));
  }
  const auto& ctx = ctx_it->second;
  const auto ctx_file = display(ctx.file);
  ClusterAccess access;
  access.file = ctx.file;
  access.context = context_name;
  access.cluster = string_field(ctx.body, "cluster");
  access.user = string_field(ctx.body, "user");
  if (const auto ns = string_field(ctx.body, "namespace"); !ns.empty()) {
    access.default_namespace = ns;
  }
  if (access.cluster.empty()) {
    return make_error(ErrorKind::invalid_input, "{}: context {} names no cluster", ctx_file, json(context_name).dump());
  }
  const auto cl_it = merged.clusters.find(access.cluster);
  if (cl_it == merged.clusters.end()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: context {} refers to cluster {}, which is not defined",
                      ctx_file,
                      json(context_name).dump(),
                      json(access.cluster).dump());
  }
  const auto& cluster = cl_it->second;
  const auto cluster_what = fmt::format("cluster {}", json(access.cluster).dump());
  access.server = string_field(cluster.body, "server");
  if (access.server.empty()) {
    return make_error(ErrorKind::invalid_input, "{}: {} has no server", display(cluster.file), cluster_what);
  }
  while (str::ends_with(access.server, "/")) {
    access.server.pop_back();
  }
  access.insecure_skip_tls_verify = bool_field(cluster.body, "insecure-skip-tls-verify");
  access.tls_server_name = string_field(cluster.body, "tls-server-name");
  OCNE_TRY_ASSIGN(
    access.ca_pem,
    data_or_file(cluster.body, "certificate-authority", "certificate-authority-data", cluster.file, cluster_what));
  if (!string_field(cluster.body, "proxy-url").empty()) {
    log::warn("{}: {}: proxy-url is not supported and is ignored", display(cluster.file), cluster_what);
  }

  if (access.user.empty()) {
    return access; // anonymous
  }
  const auto us_it = merged.users.find(access.user);
  if (us_it == merged.users.end()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: context {} refers to user {}, which is not defined",
                      ctx_file,
                      json(context_name).dump(),
                      json(access.user).dump());
  }
  const auto& user = us_it->second;
  const auto user_what = fmt::format("user {}", json(access.user).dump());
  const auto user_file = display(user.file);
  if (user.body.contains("exec") || user.body.contains("auth-provider")) {
    return make_error(
      ErrorKind::unavailable,
      "{}: {} uses an {} credential plugin, which ocne does not run; use a client certificate or a token",
      user_file,
      user_what,
      user.body.contains("exec") ? "exec" : "auth-provider");
  }
  OCNE_TRY_ASSIGN(access.client_cert_pem,
                  data_or_file(user.body, "client-certificate", "client-certificate-data", user.file, user_what));
  OCNE_TRY_ASSIGN(auto key, data_or_file(user.body, "client-key", "client-key-data", user.file, user_what));
  access.client_key_pem = Secret(std::move(key));
  if (access.client_cert_pem.empty() != access.client_key_pem.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "{}: {} has a client {} but no client {}",
                      user_file,
                      user_what,
                      access.client_cert_pem.empty() ? "key" : "certificate",
                      access.client_cert_pem.empty() ? "certificate" : "key");
  }
  auto token = string_field(user.body, "token");
  if (token.empty()) {
    if (const auto token_file = string_field(user.body, "tokenFile"); !token_file.empty()) {
      fs::Path path(token_file);
      if (path.is_relative()) {
        path = user.file.parent_path() / path;
      }
      auto content = fs::read_file(path, 1 << 20);
      if (!content) {
        return make_error(
          ErrorKind::invalid_input, "{}: {}: tokenFile: {}", user_file, user_what, content.error().message());
      }
      token = std::string(str::trim(*content));
    }
  }
  access.token = Secret(std::move(token));
  access.username = string_field(user.body, "username");
  access.password = Secret(string_field(user.body, "password"));
  return access;
}

Result<json>
read_kubeconfig_file(const fs::Path& file)
{
  auto text = fs::read_file(file, 16 << 20);
  if (!text) {
    return make_error(text.error());
  }
  return parse_yaml(*text, display(file));
}

} // namespace

std::vector<fs::Path>
kubeconfig_files(const std::optional<fs::Path>& explicit_path,
                 const std::optional<std::string>& kubeconfig_env,
                 const fs::Path& home)
{
  if (explicit_path && !explicit_path->empty()) {
    return { fs::expand_user(explicit_path->string(), home) };
  }
  if (kubeconfig_env && !kubeconfig_env->empty()) {
    std::vector<fs::Path> out;
    std::set<std::string> seen;
    for (const auto& part : str::split(*kubeconfig_env, ':')) {
      if (part.empty() || !seen.insert(part).second) {
        continue;
      }
      out.push_back(fs::expand_user(part, home));
    }
    if (!out.empty()) {
      return out;
    }
  }
  return { home / ".kube" / "config" };
}

Result<ClusterAccess>
load_kubeconfig(const std::vector<fs::Path>& files, const LoadOptions& options)
{
  Merged merged;
  std::vector<std::string> missing;
  for (const auto& file : files) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      if (options.require_all) {
        return make_error(ErrorKind::not_found, "{}: kubeconfig not found", display(file));
      }
      missing.push_back(display(file));
      continue;
    }
    OCNE_TRY_ASSIGN(auto doc, read_kubeconfig_file(file));
    OCNE_TRY(merge_document(doc, file, merged));
  }
  if (merged.files_read.empty()) {
    return make_error(ErrorKind::not_found, "no kubeconfig found (looked for {})", str::join(missing, ", "));
  }
  return resolve(merged, files, options);
}

Result<ClusterAccess>
load_kubeconfig_text(std::string_view text,
                     std::string_view source,
                     const fs::Path& base_dir,
                     const LoadOptions& options)
{
  OCNE_TRY_ASSIGN(auto doc, parse_yaml(text, source));
  Merged merged;
  // Relative references resolve against base_dir: pretend the file lives there.
  const auto pseudo = base_dir / std::string(source);
  OCNE_TRY(merge_document(doc, pseudo, merged));
  auto access = resolve(merged, { pseudo }, options);
  if (!access) {
    // Name the source as given, not the pseudo path.
    return make_error(
      access.error().kind(), "{}", str::replace_all(access.error().message(), display(pseudo), std::string(source)));
  }
  access->file = fs::Path(std::string(source));
  return access;
}

Result<std::vector<std::string>>
kubeconfig_contexts(const std::vector<fs::Path>& files)
{
  Merged merged;
  for (const auto& file : files) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      continue;
    }
    OCNE_TRY_ASSIGN(auto doc, read_kubeconfig_file(file));
    OCNE_TRY(merge_document(doc, file, merged));
  }
  return merged.context_order;
}

Secret
make_kubeconfig(const KubeconfigSpec& spec)
{
  json cluster = { { "server", spec.server } };
  if (!spec.ca_pem.empty()) {
    cluster["certificate-authority-data"] = base64_encode(spec.ca_pem);
  }
  if (spec.insecure_skip_tls_verify) {
    cluster["insecure-skip-tls-verify"] = true;
  }
  json user = json::object();
  if (!spec.client_cert_pem.empty()) {
    user["client-certificate-data"] = base64_encode(spec.client_cert_pem);
  }
  if (!spec.client_key_pem.empty()) {
    user["client-key-data"] = base64_encode(spec.client_key_pem.reveal());
  }
  if (!spec.token.empty()) {
    user["token"] = spec.token.reveal();
  }
  json context = { { "cluster", spec.name }, { "user", spec.name } };
  if (!spec.default_namespace.empty()) {
    context["namespace"] = spec.default_namespace;
  }
  const json doc = {
    { "apiVersion", "v1" },
    { "kind", "Config" },
    { "clusters", json::array({ { { "name", spec.name }, { "cluster", cluster } } }) },
    { "users", json::array({ { { "name", spec.name }, { "user", user } } }) },
    { "contexts", json::array({ { { "name", spec.name }, { "context", context } } }) },
    { "current-context", spec.name },
    { "preferences", json::object() },
  };
  return Secret(to_yaml(doc));
}

Status
write_kubeconfig(const fs::Path& path, std::string_view content)
{
  // Refuse to write something that would not load back.
  OCNE_TRY_ASSIGN(auto doc, parse_yaml(content, display(path)));
  Merged merged;
  OCNE_TRY(merge_document(doc, path, merged));
  if (merged.clusters.empty()) {
    return make_error(
      ErrorKind::invalid_input, "{}: refusing to write a kubeconfig that defines no cluster", display(path));
  }
  if (path.has_parent_path()) {
    OCNE_TRY(fs::ensure_dir(path.parent_path(), fs::k_private_dir));
  }
  return fs::write_file_atomic(path, content, fs::k_private);
}

} // namespace ocne::k8s
