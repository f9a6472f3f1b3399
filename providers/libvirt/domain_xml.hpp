#pragma once

// The libvirt domain XML of a node (ocne's template, research ocne.md §4.4):
// UEFI firmware (secure boot and SMM when asked), q35 on x86_64 and virt on
// aarch64, the copy-on-write disk on virtio-scsi, a virtio NIC on the libvirt
// network, the Ignition config as fw_cfg entry opt/com.coreos/config, and for
// the first control-plane node a user-mode NIC whose port forward carries
// the Kubernetes API to the libvirt host. The <metadata> names the cluster,
// so ocne can tell its domains from others of the same name.

#include <optional>
#include <string>

namespace ocne::providers::libvirt {

inline constexpr std::string_view k_metadata_namespace = "https://github.com/oracle-cne/ocne/libvirt/1";

struct UserNic
{
  std::string subnet;       // slirp network, e.g. 192.18.255.0/24
  std::string host_address; // hostfwd bind address on the libvirt host ("" = no forward)
  unsigned host_port = 0;
  unsigned guest_port = 6443;
};

struct DomainSpec
{
  std::string name;
  std::string cluster;
  std::string role;                // "control-plane", "worker"
  std::string domain_type = "kvm"; // kvm or qemu (TCG)
  std::string arch = "x86_64";     // x86_64 or aarch64
  unsigned vcpus = 2;
  unsigned long long memory_kib = 4194304;
  bool secure_boot = false;
  bool smm = false;
  std::string pool;
  std::string disk_volume;
  std::string ignition_path; // on the libvirt host
  std::string network;       // "" = no bridge NIC
  std::optional<UserNic> user_nic;
};

// q35 or virt.
std::string machine_for(std::string_view arch);

std::string render_domain_xml(const DomainSpec& spec);

} // namespace ocne::providers::libvirt
