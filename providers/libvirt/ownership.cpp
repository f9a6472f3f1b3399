#include "providers/libvirt/ownership.hpp"

#include "pkg/cluster/phase.hpp"
#include "pkg/libvirt/xml.hpp"
#include "providers/libvirt/domain_xml.hpp"
#include "providers/libvirt/naming.hpp"

namespace ocne::providers::libvirt {

Result<std::string>
metadata_cluster(const ocne::libvirt::Domain& domain)
{
  OCNE_TRY_ASSIGN(auto xml, domain.xml(true));
  OCNE_TRY_ASSIGN(auto doc, ocne::libvirt::XmlDoc::parse(xml, "the description of domain " + domain.name()));
  return doc
    .text(fmt::format("/domain/metadata/*[local-name()='node' and namespace-uri()='{}']/*[local-name()='cluster']",
                      k_metadata_namespace))
    .value_or("");
}

Result<bool>
owns_domain(const ClusterRecord& record, const ocne::libvirt::Domain& domain, std::string_view cluster)
{
  for (const auto& r : record.resources) {
    if (r.provider != "libvirt" || r.kind != "domain" || r.name != domain.name()) {
      continue;
    }
    if (!r.id.empty()) {
      OCNE_TRY_ASSIGN(auto uuid, domain.uuid());
      return uuid == r.id;
    }
    OCNE_TRY_ASSIGN(auto named, metadata_cluster(domain));
    return named == cluster;
  }
  const auto phase = cluster::phase_of(record);
  const bool legacy = record.resources.empty() && !record.config_yaml.empty() &&
                      (phase == cluster::Phase::none || phase == cluster::Phase::running);
  if (legacy) {
    const auto owner = cluster_of_domain(domain.name());
    return owner && *owner == cluster;
  }
  return false;
}

} // namespace ocne::providers::libvirt
