#pragma once

// The Ignition config that Cluster API merges into what its kubeadm
// bootstrap generates for every OCI and Oxide node (the template's
// ignition.containerLinuxConfig.additionalConfig). It turns an OCK image into
// a node Cluster API can drive: ocne's own bootstrap service off, CRI-O up
// before kubeadm, the OS update service pointed at osRegistry/osTag,
// registries, proxy, the `ocne` user, and the user's extra Ignition on top.
// Compact JSON, Ignition spec 3.4.0.

#include "pkg/core/error.hpp"

#include <string>
#include <vector>

namespace ocne::cluster_templates {

// A file a cloud puts on its nodes.
struct IgnitionFile
{
  std::string path;
  unsigned mode = 0644;
  std::string content;
};

// A systemd drop-in a cloud adds to one of the nodes' units.
struct IgnitionDropin
{
  std::string unit; // "crio.service"
  std::string name; // "oci-instance-id.conf"
  std::string content;
};

struct NodeIgnitionOptions
{
  std::string registry;    // unqualified-search registry for CRI-O
  std::string os_registry; // "ostree-unverified-registry:container-registry.oracle.com/olcne/ock-ostree"
  std::string os_tag;      // "1.33"
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;                    // the user's list
  std::vector<std::string> no_proxy_extra; // subnets and addresses nodes reach directly
  std::vector<std::string> ssh_keys;       // for user ocne
  std::string password_hash;               // for user ocne
  struct Extra
  {
    std::string origin; // "extraIgnition /home/u/x.ign", "extraIgnitionInline"
    std::string text;
  };
  std::vector<Extra> extra; // merged last, in order
  // The cloud's own files and drop-ins (CloudTemplate::node_extras), right
  // after CRI-O's pre-kubeadm drop-in.
  std::vector<IgnitionFile> cloud_files;
  std::vector<IgnitionDropin> cloud_dropins;
};

Result<std::string> node_ignition(const NodeIgnitionOptions& options);

// ocne's osRegistry, split: transport ("ostree-unverified-registry") and
// image ("container-registry.oracle.com/olcne/ock-ostree"). An image with a
// tag or digest is an error (the tag is osTag).
struct OstreeReference
{
  std::string transport;
  std::string image;
};
Result<OstreeReference> parse_ostree_reference(std::string_view reference);

// A data URL for file contents: percent-encoded or base64, whichever is
// shorter (as Butane picks).
std::string data_url(std::string_view content);

} // namespace ocne::cluster_templates
