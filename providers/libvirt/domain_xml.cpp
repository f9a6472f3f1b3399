#include "providers/libvirt/domain_xml.hpp"

#include "pkg/libvirt/xml.hpp"

#include <fmt/core.h>

namespace ocne::providers::libvirt {

using ocne::libvirt::xml_escape;

std::string
machine_for(std::string_view arch)
{
  return arch == "aarch64" ? "virt" : "q35";
}

std::string
render_domain_xml(const DomainSpec& s)
{
  const bool x86 = s.arch != "aarch64";
  // Secure boot needs SMM on x86 (the firmware refuses to run without it).
  const bool smm = s.smm || (x86 && s.secure_boot);
  std::string out;
  auto line = [&](const std::string& text) {
    out += text;
    out += '\n';
  };
  line(fmt::format("<domain type='{}'{}>",
                   xml_escape(s.domain_type),
                   s.user_nic ? " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'" : ""));
  line(fmt::format("  <name>{}</name>", xml_escape(s.name)));
  line(fmt::format(
    "  <description>{} node of the ocne cluster {}</description>", xml_escape(s.role), xml_escape(s.cluster)));
  line("  <metadata>");
  line(fmt::format("    <ocne:node xmlns:ocne='{}'>", k_metadata_namespace));
  line(fmt::format("      <ocne:cluster>{}</ocne:cluster>", xml_escape(s.cluster)));
  line(fmt::format("      <ocne:role>{}</ocne:role>", xml_escape(s.role)));
  line("    </ocne:node>");
  line("  </metadata>");
  line(fmt::format("  <memory unit='KiB'>{}</memory>", s.memory_kib));
  line(fmt::format("  <vcpu placement='static'>{}</vcpu>", s.vcpus));
  line("  <sysinfo type='fwcfg'>");
  line(fmt::format("    <entry name='opt/com.coreos/config' file='{}'/>", xml_escape(s.ignition_path)));
  line("  </sysinfo>");
  line("  <os firmware='efi'>");
  line(fmt::format("    <type arch='{}' machine='{}'>hvm</type>", xml_escape(s.arch), machine_for(s.arch)));
  line("    <firmware>");
  line(fmt::format("      <feature enabled='{}' name='enrolled-keys'/>", s.secure_boot ? "yes" : "no"));
  line(fmt::format("      <feature enabled='{}' name='secure-boot'/>", s.secure_boot ? "yes" : "no"));
  line("    </firmware>");
  if (s.secure_boot) {
    line("    <loader secure='yes'/>");
  }
  line("    <boot dev='hd'/>");
  line("  </os>");
  line("  <features>");
  // ACPI also makes QEMU expose fw_cfg to the guest kernel.
  line("    <acpi/>");
  if (x86) {
    line("    <apic/>");
    line(fmt::format("    <smm state='{}'/>", smm ? "on" : "off"));
  } else {
    line("    <gic version='3'/>");
  }
  line("  </features>");
  if (s.domain_type == "kvm") {
    line("  <cpu mode='host-passthrough' check='none' migratable='on'>");
    if (x86) {
      line("    <feature policy='disable' name='pdpe1gb'/>");
    }
    line("  </cpu>");
  } else if (!x86) {
    line("  <cpu mode='custom' match='exact' check='none'>");
    line("    <model fallback='forbid'>cortex-a57</model>");
    line("  </cpu>");
  }
  line("  <clock offset='utc'/>");
  line("  <on_poweroff>destroy</on_poweroff>");
  line("  <on_reboot>restart</on_reboot>");
  line("  <on_crash>destroy</on_crash>");
  line("  <devices>");
  line("    <disk type='volume' device='disk'>");
  line("      <driver name='qemu' type='qcow2' discard='unmap'/>");
  line(fmt::format("      <source pool='{}' volume='{}'/>", xml_escape(s.pool), xml_escape(s.disk_volume)));
  line("      <target dev='sda' bus='scsi'/>");
  line("    </disk>");
  line("    <controller type='scsi' index='0' model='virtio-scsi'/>");
  if (!s.network.empty()) {
    // First on PCI bus 1: the guest names it enp1s0.
    line("    <interface type='network'>");
    line(fmt::format("      <source network='{}'/>", xml_escape(s.network)));
    line("      <model type='virtio'/>");
    line("      <rom enabled='no'/>");
    line("      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>");
    line("    </interface>");
  }
  line("    <serial type='pty'>");
  line("      <target port='0'/>");
  line("    </serial>");
  line("    <console type='pty'>");
  line("      <target type='serial' port='0'/>");
  line("    </console>");
  if (x86) {
    line("    <input type='keyboard' bus='ps2'/>");
  }
  line("    <audio id='1' type='none'/>");
  line("    <memballoon model='virtio'/>");
  line("    <rng model='virtio'>");
  line("      <backend model='random'>/dev/urandom</backend>");
  line("    </rng>");
  line("  </devices>");
  if (s.user_nic) {
    std::string netdev = fmt::format("user,id=ocneuser,net={}", s.user_nic->subnet);
    if (!s.user_nic->host_address.empty() && s.user_nic->host_port != 0) {
      netdev +=
        fmt::format(",hostfwd=tcp:{}:{}-:{}", s.user_nic->host_address, s.user_nic->host_port, s.user_nic->guest_port);
    }
    // PCI 00:02.0: the guest names it enp0s2.
    line("  <qemu:commandline>");
    line("    <qemu:arg value='-netdev'/>");
    line(fmt::format("    <qemu:arg value='{}'/>", xml_escape(netdev)));
    line("    <qemu:arg value='-device'/>");
    line("    <qemu:arg value='virtio-net-pci,netdev=ocneuser,addr=0x2,romfile='/>");
    line("  </qemu:commandline>");
  }
  line("</domain>");
  return out;
}

} // namespace ocne::providers::libvirt
