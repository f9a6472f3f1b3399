#include "pkg/addons/ccm.hpp"

#include "pkg/k8s/base64.hpp"
#include "pkg/k8s/yaml.hpp"
#include "pkg/template/render.hpp"

namespace ocne::addons {

namespace {

using json = nlohmann::json;

json
secret(const std::string& name, json data)
{
  return { { "apiVersion", "v1" },
           { "kind", "Secret" },
           { "type", "Opaque" },
           { "metadata", { { "name", name }, { "namespace", "kube-system" } } },
           { "data", std::move(data) } };
}

} // namespace

Result<Addon>
render_oxide_ccm(const OxideCcmOptions& options, const Environment& env)
{
  if (options.host.empty() || options.token.empty() || options.project.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "the Oxide cloud controller manager needs the silo URL, a token and the project");
  }
  tmpl::Variables vars;
  vars.set("OXIDE_CCM_IMAGE", tmpl::Value::string(options.image));
  OCNE_TRY_ASSIGN(auto addon, render_addon("oxide-ccm", "kube-system", vars, env));
  addon.objects.insert(addon.objects.begin(),
                       secret("oxide-cloud-controller-manager",
                              { { "oxide-host", k8s::base64_encode(options.host) },
                                { "oxide-token", k8s::base64_encode(options.token.reveal()) },
                                { "oxide-project", k8s::base64_encode(options.project) } }));
  return addon;
}

Result<Addon>
render_oci_ccm(const OciCcmOptions& options, const Environment& env)
{
  if (options.compartment.empty() || options.vcn.empty()) {
    return make_error(ErrorKind::invalid_input,
                      "the OCI cloud controller manager needs the cluster's compartment and VCN");
  }
  tmpl::Variables vars;
  vars.set("OCI_CCM_IMAGE", tmpl::Value::string(options.image));
  OCNE_TRY_ASSIGN(auto addon, render_addon("oci-ccm", "kube-system", vars, env));
  auto secrets = oci_ccm_secrets(options);
  addon.objects.insert(addon.objects.begin(), secrets.begin(), secrets.end());
  return addon;
}

Secret
oci_cloud_provider_yaml(const OciCcmOptions& o)
{
  const json config = {
    { "auth",
      { { "region", o.region },
        { "tenancy", o.tenancy },
        { "user", o.user },
        { "key", o.key.reveal() },
        { "passphrase", o.passphrase.reveal() },
        { "fingerprint", o.fingerprint },
        { "useInstancePrincipals", false } } },
    { "compartment", o.compartment },
    { "vcn", o.vcn },
    { "loadBalancer",
      { { "subnet1", o.subnet1 }, { "subnet2", o.subnet2 }, { "securityListManagementMode", "None" } } },
  };
  return Secret(k8s::to_yaml(config));
}

std::vector<json>
oci_ccm_secrets(const OciCcmOptions& options)
{
  const auto yaml = oci_cloud_provider_yaml(options);
  return { secret("oci-cloud-controller-manager", { { "cloud-provider.yaml", k8s::base64_encode(yaml.reveal()) } }),
           secret("oci-volume-provisioner", { { "config.yaml", k8s::base64_encode(yaml.reveal()) } }) };
}

} // namespace ocne::addons
