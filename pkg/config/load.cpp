#include "pkg/config/load.hpp"

#include "pkg/config/provider_rules.hpp"
#include "pkg/config/schema.hpp"
#include "pkg/config/values.hpp"
#include "pkg/config/versions.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"

#include <algorithm>
#include <array>

namespace ocne::config {

namespace {

// Defaults that depend on other values or on the machine.
void
apply_computed_defaults(LoadedConfig& l, const Environment& env, const std::string& default_provider)
{
  auto& c = l.config;
  if (!c.name.is_set()) {
    c.name = "ocne";
    mark_computed(l, "name");
  }
  if (!c.provider.is_set()) {
    c.provider = default_provider;
    mark_computed(l, "provider");
  }
  if (!c.control_plane_nodes.is_set() || c.control_plane_nodes.get() == 0) {
    // ocne: 0 means "not set" and becomes 1.
    if (!c.control_plane_nodes.is_set()) {
      mark_computed(l, "controlPlaneNodes");
    }
    c.control_plane_nodes = 1;
  }
  if (!c.ssh_public_key_path.is_set()) {
    const auto candidate = env.home() / ".ssh" / "id_rsa.pub";
    std::error_code ec;
    if (!env.home().empty() && std::filesystem::exists(candidate, ec)) {
      c.ssh_public_key_path = candidate.string();
      mark_computed(l, "sshPublicKeyPath");
    }
  }
  // osTag follows kubernetesVersion unless someone set it.
  if (l.origin("osTag").source == Origin::Source::builtin && c.kubernetes_version.get() != c.os_tag.get()) {
    c.os_tag = c.kubernetes_version.get();
    mark_computed(l, "osTag");
  }
  c.boot_volume_container_image = normalize_boot_image(c.boot_volume_container_image.get(), c.kubernetes_version.get());
  c.os_registry = normalize_os_registry(c.os_registry.get());
  for (const auto* rules : l.provider_rules) {
    rules->computed_defaults(l);
  }
}

void
check_values(const LoadedConfig& l, Checker& ck)
{
  const auto& c = l.config;
  auto& mutable_config = const_cast<ClusterConfig&>(c);
  for (const auto& f : fields()) {
    if (f.kind != Kind::string) {
      continue;
    }
    const auto* s = field_ptr<Str>(mutable_config, f);
    if (s == nullptr || !s->is_set()) {
      continue;
    }
    if ((f.treatment & k_cidrs) != 0) {
      if (auto st = check_cidr_list(s->get()); !st) {
        ck.fail(f.key, "is invalid: " + st.error().message());
      }
    }
    if ((f.treatment & k_quantity) != 0) {
      auto q = parse_quantity(s->get());
      if (!q) {
        ck.fail(f.key, "is invalid: " + q.error().message());
      } else if ((f.treatment & k_whole_gib) != 0 && (*q == 0 || *q % k_gib != 0)) {
        ck.fail(f.key, fmt::format("must be a whole number of GiB (Oxide requires it), got {}", str::quote(s->get())));
      } else if (*q == 0) {
        ck.fail(f.key, "must be larger than zero");
      }
    }
  }
  std::vector<std::string> names;
  for (const auto* rules : l.provider_rules) {
    names.emplace_back(rules->name());
  }
  if (std::find(names.begin(), names.end(), c.provider.get()) == names.end()) {
    ck.fail("provider",
            fmt::format("{} is not supported (supported: {})", str::quote(c.provider.get()), str::join(names, ", ")));
  }
  if (!is_dns_label(c.name.get())) {
    ck.fail("name",
            fmt::format("{} is not a valid cluster name (lowercase letters, digits and '-', at most 63 characters)",
                        str::quote(c.name.get())));
  }
  if (auto v = find_kube_version(c.kubernetes_version.get()); !v) {
    ck.fail("kubernetesVersion", "is invalid: " + v.error().message());
  }
  if (c.virtual_ip.is_set() && c.load_balancer.is_set()) {
    ck.fail("virtualIp", "and loadBalancer cannot both be set");
  }
  if (c.virtual_ip.is_set() && !is_ip_address(c.virtual_ip.get())) {
    ck.fail("virtualIp", fmt::format("must be an IP address, got {}", str::quote(c.virtual_ip.get())));
  }
  if (c.cluster_definition.is_set() && c.cluster_definition_inline.is_set()) {
    ck.fail("clusterDefinition", "and clusterDefinitionInline cannot both be set");
  }
  static constexpr std::array<std::string_view, 3> k_modes = { "iptables", "ipvs", "nftables" };
  if (std::find(k_modes.begin(), k_modes.end(), c.kube_proxy_mode.get()) == k_modes.end()) {
    ck.fail("kubeProxyMode",
            fmt::format("must be iptables, ipvs or nftables, got {}", str::quote(c.kube_proxy_mode.get())));
  }
  const auto registry_part = c.os_registry.get().substr(c.os_registry.get().find(':') + 1);
  if (registry_part.rfind(':') != std::string::npos && registry_part.rfind(':') > registry_part.rfind('/')) {
    ck.fail("osRegistry", "must not carry a tag (the tag comes from osTag)");
  }
  // Each cloud's values, then each cloud's late checks (ocne reports the
  // namespaces last).
  for (const auto* rules : l.provider_rules) {
    rules->check_values(l, ck);
  }
  for (const auto* rules : l.provider_rules) {
    rules->check_late(l, ck);
  }
}

} // namespace

Origin
flag_origin(std::string flag)
{
  Origin o;
  o.source = Origin::Source::flag;
  o.flag = std::move(flag);
  return o;
}

Origin
LoadedConfig::origin(std::string_view key) const
{
  const auto it = origins.find(key);
  return it == origins.end() ? Origin{} : it->second;
}

std::string
LoadedConfig::subject(std::string_view key) const
{
  const auto o = origin(key);
  if (o.source == Origin::Source::flag) {
    return o.flag;
  }
  if (o.from_file() || o.source == Origin::Source::cache) {
    return fmt::format("{}: {}", o.describe(), key);
  }
  return std::string(key);
}

std::filesystem::path
defaults_file_path(const Environment& env)
{
  if (auto path = env.get_nonempty("OCNE_DEFAULTS")) {
    return fs::resolve_path(*path, env.cwd(), env.home());
  }
  return env.home() / ".ocne" / "defaults.yaml";
}

Result<LoadedConfig>
load(const Environment& env, const LoadOptions& options)
{
  LoadedConfig loaded;
  Layer merged = builtin_defaults();

  // 2. the defaults file
  loaded.defaults_file = defaults_file_path(env);
  std::error_code ec;
  const bool explicit_defaults = env.get_nonempty("OCNE_DEFAULTS").has_value();
  if (std::filesystem::exists(loaded.defaults_file, ec)) {
    OCNE_TRY_ASSIGN(
      auto layer,
      load_config_file(loaded.defaults_file, loaded.defaults_file.string(), FileKind::defaults, env.home()));
    merge_into(merged, layer);
  } else if (explicit_defaults) {
    return make_error(ErrorKind::invalid_input,
                      "{}: no such file or directory (named by OCNE_DEFAULTS)",
                      loaded.defaults_file.string());
  }

  // 3. the cluster file
  if (options.cluster_file) {
    const auto path = fs::resolve_path(*options.cluster_file, env.cwd(), env.home());
    loaded.cluster_file = path;
    OCNE_TRY_ASSIGN(auto layer, load_config_file(path, *options.cluster_file, FileKind::cluster, env.home()));
    merge_into(merged, layer);
  }

  if (options.cached_config) {
    OCNE_TRY_ASSIGN(auto layer,
                    parse_config(*options.cached_config, "cluster cache", FileKind::cache, env.cwd(), env.home()));
    merge_into(merged, layer);
  }

  // 4. flags
  merge_into(merged, options.flags);

  loaded.config = std::move(merged.config);
  loaded.origins = std::move(merged.origins);
  loaded.warnings = std::move(merged.warnings);
  loaded.provider_rules = options.provider_rules;
  apply_computed_defaults(loaded, env, options.default_provider);
  OCNE_TRY(validate(loaded));
  return loaded;
}

Status
validate(const LoadedConfig& loaded)
{
  Checker ck(loaded);
  check_values(loaded, ck);
  return ck.result();
}

Status
validate_for(const LoadedConfig& loaded, Purpose purpose)
{
  Checker ck(loaded);
  for (const auto* rules : loaded.provider_rules) {
    if (rules->name() == loaded.config.provider.get()) {
      rules->check_for(loaded, purpose, ck);
    }
  }
  return ck.result();
}

std::string
normalize_boot_image(std::string_view image, std::string_view kubernetes_version)
{
  std::string ref(image);
  if (ref.find("://") == std::string::npos && !str::starts_with(ref, "oci:") &&
      !str::starts_with(ref, "oci-archive:") && !str::starts_with(ref, "docker-archive:") &&
      !str::starts_with(ref, "containers-storage:") && !str::starts_with(ref, "dir:")) {
    ref = "docker://" + ref;
  }
  if (!str::starts_with(ref, "docker://")) {
    return ref; // local layouts and archives name their own references
  }
  if (ref.find('@') != std::string::npos) {
    return ref; // a digest pins the image
  }
  const auto slash = ref.rfind('/');
  const auto colon = ref.rfind(':');
  std::string name = ref;
  if (colon != std::string::npos && colon > slash && colon > std::string_view("docker:").size()) {
    const auto tag = ref.substr(colon + 1);
    if (!is_supported_kube_version(tag) && !is_supported_kube_version("v" + tag)) {
      return ref; // a custom tag is kept
    }
    name = ref.substr(0, colon);
  }
  auto version = std::string(kubernetes_version);
  if (str::starts_with(version, "v")) {
    version.erase(0, 1);
  }
  return name + ":" + version;
}

std::string
normalize_os_registry(std::string_view registry)
{
  if (str::starts_with(registry, "ostree-")) {
    return std::string(registry);
  }
  return "ostree-unverified-registry:" + std::string(registry);
}

} // namespace ocne::config
