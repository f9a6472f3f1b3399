#include "pkg/addons/flannel.hpp"

#include "pkg/k8s/yaml.hpp"
#include "pkg/template/render.hpp"

#include <arpa/inet.h>

namespace ocne::addons {

namespace {

using json = nlohmann::json;

enum class Family { v4, v6 };

Result<Family>
family_of(const std::string& cidr)
{
  const auto slash = cidr.find('/');
  const std::string address = cidr.substr(0, slash);
  const std::string prefix = slash == std::string::npos ? "" : cidr.substr(slash + 1);
  unsigned char buffer[16];
  const bool v4 = inet_pton(AF_INET, address.c_str(), buffer) == 1;
  const bool v6 = !v4 && inet_pton(AF_INET6, address.c_str(), buffer) == 1;
  char* end = nullptr;
  const long bits = prefix.empty() ? -1 : std::strtol(prefix.c_str(), &end, 10);
  if ((!v4 && !v6) || prefix.empty() || *end != '\0' || bits < 0 || bits > (v4 ? 32 : 128)) {
    return make_error(ErrorKind::invalid_input, "pod network {} is not an IPv4 or IPv6 CIDR", cidr);
  }
  return v4 ? Family::v4 : Family::v6;
}

} // namespace

Result<Addon>
render_flannel(const FlannelOptions& options, const Environment& env)
{
  std::string v4;
  std::string v6;
  for (const auto& cidr : options.pod_cidrs) {
    OCNE_TRY_ASSIGN(auto family, family_of(cidr));
    std::string& slot = family == Family::v4 ? v4 : v6;
    if (slot.empty()) {
      slot = cidr;
    }
  }
  if (v4.empty() && v6.empty()) {
    return make_error(ErrorKind::invalid_input, "flannel needs a pod network (podSubnet is empty)");
  }
  json net = json::object();
  if (!v4.empty()) {
    net["Network"] = v4;
  }
  net["EnableIPv4"] = !v4.empty();
  if (!v6.empty()) {
    net["IPv6Network"] = v6;
  }
  net["EnableIPv6"] = !v6.empty();
  net["Backend"] = { { "Type", "vxlan" } };
  const json cni = {
    { "name", "cbr0" },
    { "cniVersion", "0.3.1" },
    { "plugins",
      { { { "type", "flannel" }, { "delegate", { { "hairpinMode", true }, { "isDefaultGateway", true } } } },
        { { "type", "portmap" }, { "capabilities", { { "portMappings", true } } } } } }
  };
  json args = { "--ip-masq", "--kube-subnet-mgr" };
  for (const auto& iface : options.interfaces) {
    args.push_back("--iface=" + iface);
  }

  tmpl::Variables vars;
  vars.set("FLANNEL_NET_CONF", tmpl::Value::string(net.dump(2) + "\n"));
  vars.set("FLANNEL_CNI_CONF", tmpl::Value::string(cni.dump(2) + "\n"));
  vars.set("FLANNEL_ARGS", tmpl::Value::node(nlohmann::ordered_json::parse(args.dump())));
  vars.set("FLANNEL_IMAGE", tmpl::Value::string(options.image));
  return render_addon("flannel", "kube-flannel", vars, env);
}

} // namespace ocne::addons
