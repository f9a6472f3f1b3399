#include "pkg/pki/cluster_pki.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/pki/ip.hpp"
#include "pkg/pki/keys.hpp"

#include <algorithm>

namespace ocne::pki {

namespace {

Subject
subject_for(const CertificateInformation& info, std::string common_name, std::vector<std::string> orgs)
{
  Subject s;
  s.common_name = std::move(common_name);
  s.organizations = std::move(orgs);
  s.organizational_unit = info.org_unit;
  s.country = info.country;
  s.state = info.state;
  return s;
}

void
add_unique(std::vector<std::string>& list, std::string value)
{
  if (std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(std::move(value));
  }
}

} // namespace

Result<std::pair<std::vector<std::string>, std::vector<std::string>>>
api_sans(const ClusterPkiOptions& options)
{
  std::vector<std::string> dns = {
    "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"
  };
  std::vector<std::string> ips;
  for (const auto& subnet : str::split_trimmed(options.service_subnet, ',')) {
    auto cidr = Cidr::parse(subnet);
    if (!cidr) {
      return tl::unexpected(cidr.error().with_context("serviceSubnet"));
    }
    add_unique(ips, cidr->first_host().to_string());
  }
  auto add = [&](const std::string& value) {
    if (value.empty()) {
      return;
    }
    if (const auto ip = IpAddress::parse(value)) {
      add_unique(ips, ip->to_string());
    } else {
      add_unique(dns, value);
    }
  };
  add(options.api_address);
  add("127.0.0.1");
  for (const auto& san : options.extra_sans) {
    add(san);
  }
  return std::make_pair(std::move(dns), std::move(ips));
}

Result<ClusterPki>
make_cluster_pki(const ClusterPkiOptions& options)
{
  if (options.api_address.empty()) {
    return make_error(ErrorKind::invalid_input, "the cluster PKI needs the Kubernetes API address");
  }
  OCNE_TRY_ASSIGN(auto sans, api_sans(options));
  ClusterPki out;
  OCNE_TRY_ASSIGN(out.ca, make_ca({ .subject = subject_for(options.info, "kubernetes", { options.info.org }) }));
  OCNE_TRY_ASSIGN(out.etcd_ca, make_ca({ .subject = subject_for(options.info, "etcd-ca", { options.info.org }) }));
  OCNE_TRY_ASSIGN(out.front_proxy_ca,
                  make_ca({ .subject = subject_for(options.info, "front-proxy-ca", { options.info.org }) }));
  // The admin identity: the system:masters group is authorised for
  // everything by every Kubernetes release, so the kubeconfig works from the
  // first API answer on.
  CertOptions admin;
  admin.subject = subject_for(options.info, "kubernetes-admin", { "system:masters" });
  admin.client_auth = true;
  admin.server_auth = true; // as ocne: one certificate shape for both
  admin.dns_names = sans.first;
  admin.ip_addresses = sans.second;
  OCNE_TRY_ASSIGN(out.admin, issue_certificate(out.ca, admin));
  OCNE_TRY_ASSIGN(out.service_account_key, make_rsa_key(2048));
  OCNE_TRY_ASSIGN(out.service_account_pub, public_key_pem(out.service_account_key));
  return out;
}

} // namespace ocne::pki
