#include "pkg/cluster_templates/node_ignition.hpp"

#include "pkg/cluster_templates/ignition_merge.hpp"
#include "pkg/core/strings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <optional>

namespace ocne::cluster_templates {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view k_pre_kubeadm_dropin = "[Unit]\nBefore=kubeadm.service\n";

// Puts the API server's address into no_proxy once kubeadm knows it.
constexpr std::string_view k_proxy_config_script = R"(#!/bin/sh
# Adds the Kubernetes API server address to no_proxy in the proxy drop-ins.
set -e
server=$(sed -n 's|^ *server: *https://\(\[[^]]*\]\|[^:/]*\).*|\1|p' /etc/kubernetes/kubelet.conf | head -n 1)
[ -n "$server" ] || exit 0
changed=
for f in /etc/systemd/system/crio.service.d/proxy.conf /etc/systemd/system/ocne-update.service.d/proxy.conf; do
  if [ -f "$f" ] && ! grep -qF "$server," "$f"; then
    sed -i "s|no_proxy=|no_proxy=$server,|" "$f"
    changed=1
  fi
done
[ -z "$changed" ] || systemctl daemon-reload
)";
constexpr std::string_view k_proxy_config_unit = R"([Unit]
Description=Add the Kubernetes API server to no_proxy
After=kubeadm.service

[Service]
Type=oneshot
ExecStart=/etc/ocne/proxy-config.sh

[Install]
WantedBy=multi-user.target
)";

// ocne's node upgrade runs this hook; a fresh node has nothing to do.
constexpr std::string_view k_kubeadm_upgrade_script = "#!/bin/sh\nexit 0\n";

class Builder
{
public:
  Builder()
  {
    m_config = Json{ { "ignition", { { "version", "3.4.0" } } } };
  }

  void
  file(std::string_view path, unsigned mode, std::string_view content)
  {
    files().push_back(Json{
      { "path", path }, { "mode", mode }, { "overwrite", true }, { "contents", { { "source", data_url(content) } } } });
  }

  void
  directory(std::string_view path, unsigned mode)
  {
    auto& dirs = m_config["storage"]["directories"];
    if (dirs.is_null()) {
      dirs = Json::array();
    }
    dirs.push_back(Json{ { "path", path }, { "mode", mode } });
  }

  // A unit; later calls for the same name add drop-ins and may set enabled.
  void
  unit(std::string_view name, std::optional<bool> enabled, std::string_view contents = {})
  {
    auto& u = find_unit(name);
    if (enabled) {
      u["enabled"] = *enabled;
    }
    if (!contents.empty()) {
      u["contents"] = contents;
    }
  }

  void
  dropin(std::string_view unit_name, std::string_view name, std::string_view contents)
  {
    auto& u = find_unit(unit_name);
    if (!u.contains("dropins")) {
      u["dropins"] = Json::array();
    }
    u["dropins"].push_back(Json{ { "name", name }, { "contents", contents } });
  }

  void
  user(Json u)
  {
    m_config["passwd"]["users"] = Json::array({ std::move(u) });
  }

  Json&
  config()
  {
    return m_config;
  }

private:
  Json&
  files()
  {
    auto& f = m_config["storage"]["files"];
    if (f.is_null()) {
      f = Json::array();
    }
    return f;
  }

  Json&
  find_unit(std::string_view name)
  {
    auto& units = m_config["systemd"]["units"];
    if (units.is_null()) {
      units = Json::array();
    }
    for (auto& u : units) {
      if (u["name"] == name) {
        return u;
      }
    }
    units.push_back(Json{ { "name", name } });
    return units.back();
  }

  Json m_config;
};

// A systemd Environment= assignment, quoted: '%' is a specifier, '\' and '"'
// are escapes.
std::string
environment_line(std::string_view name, std::string_view value)
{
  std::string v;
  for (const char c : value) {
    if (c == '%') {
      v += "%%";
    } else if (c == '\\' || c == '"') {
      v += '\\';
      v += c;
    } else {
      v += c;
    }
  }
  return fmt::format("Environment=\"{}={}\"\n", name, v);
}

Status
check_proxy_value(std::string_view key, std::string_view value)
{
  for (const char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return make_error(ErrorKind::invalid_input, "{} holds a control character", key);
    }
  }
  return {};
}

} // namespace

std::string
data_url(std::string_view content)
{
  std::string pct = "data:,";
  for (const char ch : content) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || c == '/') {
      pct += static_cast<char>(c);
    } else {
      pct += fmt::format("%{:02X}", c);
    }
  }
  static constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64 = "data:;base64,";
  std::size_t i = 0;
  for (; i + 2 < content.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(content[i]) << 16) | (static_cast<unsigned char>(content[i + 1]) << 8) |
                   static_cast<unsigned char>(content[i + 2]);
    b64 += k_alphabet[(n >> 18) & 63];
    b64 += k_alphabet[(n >> 12) & 63];
    b64 += k_alphabet[(n >> 6) & 63];
    b64 += k_alphabet[n & 63];
  }
  if (i < content.size()) {
    const bool two = i + 1 < content.size();
    const auto n =
      (static_cast<unsigned char>(content[i]) << 16) | (two ? static_cast<unsigned char>(content[i + 1]) << 8 : 0);
    b64 += k_alphabet[(n >> 18) & 63];
    b64 += k_alphabet[(n >> 12) & 63];
    b64 += two ? k_alphabet[(n >> 6) & 63] : '=';
    b64 += '=';
  }
  return pct.size() <= b64.size() ? pct : b64;
}

Result<OstreeReference>
parse_ostree_reference(std::string_view reference)
{
  static constexpr std::array<std::string_view, 5> k_transports = { "ostree-unverified-registry",
                                                                    "ostree-unverified-image",
                                                                    "ostree-image-signed",
                                                                    "ostree-remote-registry",
                                                                    "ostree-remote-image" };
  OstreeReference out;
  for (const auto t : k_transports) {
    if (str::starts_with(reference, t) && reference.size() > t.size() && reference[t.size()] == ':') {
      out.transport = std::string(t);
      auto rest = reference.substr(t.size() + 1);
      if (str::starts_with(t, "ostree-remote")) {
        // ostree-remote-registry:<remote>:<image>
        const auto colon = rest.find(':');
        if (colon == std::string_view::npos) {
          return make_error(ErrorKind::invalid_input, "osRegistry {} names no remote", str::quote(reference));
        }
        out.transport += ":" + std::string(rest.substr(0, colon));
        rest = rest.substr(colon + 1);
      }
      out.image = std::string(rest);
      break;
    }
  }
  if (out.transport.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "osRegistry {} is not an ostree reference such as "
                      "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree",
                      str::quote(reference));
  }
  const auto slash = out.image.rfind('/');
  const auto tail =
    slash == std::string::npos ? std::string_view(out.image) : std::string_view(out.image).substr(slash);
  if (out.image.empty() || tail.find(':') != std::string_view::npos || tail.find('@') != std::string_view::npos) {
    return make_error(ErrorKind::invalid_input,
                      "osRegistry {} must name an image without a tag (the tag is osTag)",
                      str::quote(reference));
  }
  return out;
}

Result<std::string>
node_ignition(const NodeIgnitionOptions& o)
{
  Builder b;
  // Cluster API's kubeadm.service bootstraps the node, not ocne's own.
  b.unit("ocne.service", false);
  b.unit("crio.service", true);
  b.dropin("crio.service", "pre-kubeadm.conf", k_pre_kubeadm_dropin);
  for (const auto& f : o.cloud_files) {
    b.file(f.path, f.mode, f.content);
  }
  for (const auto& d : o.cloud_dropins) {
    b.dropin(d.unit, d.name, d.content);
  }
  b.unit("kubelet.service", true);
  b.unit("iscsid.service", true);
  b.unit("ocne-update.service", true);

  OCNE_TRY_ASSIGN(const auto ostree, parse_ostree_reference(o.os_registry));
  b.file("/etc/ocne/update.yaml",
         0400,
         fmt::format("registry: {}\ntag: {}\ntransport: {}\n", ostree.image, o.os_tag, ostree.transport));
  b.file(
    "/etc/containers/registries.conf", 0644, fmt::format("unqualified-search-registries = [\"{}\"]\n", o.registry));

  if (!o.https_proxy.empty() || !o.http_proxy.empty()) {
    OCNE_TRY(check_proxy_value("proxy.httpsProxy", o.https_proxy));
    OCNE_TRY(check_proxy_value("proxy.httpProxy", o.http_proxy));
    OCNE_TRY(check_proxy_value("proxy.noProxy", o.no_proxy));
    auto no_proxy = str::split_trimmed(o.no_proxy, ',');
    no_proxy.insert(no_proxy.end(), o.no_proxy_extra.begin(), o.no_proxy_extra.end());
    std::string dropin = "[Service]\n";
    if (!o.https_proxy.empty()) {
      dropin += environment_line("HTTPS_PROXY", o.https_proxy) + environment_line("https_proxy", o.https_proxy);
    }
    if (!o.http_proxy.empty()) {
      dropin += environment_line("HTTP_PROXY", o.http_proxy) + environment_line("http_proxy", o.http_proxy);
    }
    dropin +=
      environment_line("no_proxy", str::join(no_proxy, ",")) + environment_line("NO_PROXY", str::join(no_proxy, ","));
    for (const auto* unit : { "crio.service", "ocne-update.service", "rpm-ostreed.service" }) {
      b.dropin(unit, "proxy.conf", dropin);
    }
    b.file("/etc/ocne/proxy-config.sh", 0555, k_proxy_config_script);
    b.unit("ocne-proxy-config.service", true, k_proxy_config_unit);
  }

  Json user = { { "name", "ocne" }, { "groups", Json::array({ "wheel" }) }, { "shell", "/usr/bin/rescue.sh" } };
  if (!o.ssh_keys.empty()) {
    user["sshAuthorizedKeys"] = o.ssh_keys;
  }
  if (!o.password_hash.empty()) {
    user["passwordHash"] = o.password_hash;
  }
  b.user(std::move(user));

  b.file("/etc/ocne/ocne-kubeadm-upgrade.sh", 0555, k_kubeadm_upgrade_script);
  b.directory("/etc/ocne/ock/patches", 0755);

  for (const auto& extra : o.extra) {
    OCNE_TRY_ASSIGN(const auto child, parse_extra_ignition(extra.text, extra.origin));
    merge_ignition(b.config(), child);
  }
  try {
    return b.config().dump();
  } catch (const Json::type_error&) {
    return make_error(ErrorKind::invalid_input,
                      "the nodes' Ignition config holds text that is not valid UTF-8 (check sshPublicKey, password, "
                      "proxy and extraIgnition)");
  }
}

} // namespace ocne::cluster_templates
