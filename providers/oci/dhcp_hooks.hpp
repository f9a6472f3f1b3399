#pragma once

// The DHCP hooks an OCK node on Oracle Cloud Infrastructure needs, installed
// into the image by `ocne image create --type oci` (ocne's image builder
// installs hooks with the same names and jobs):
//  - etc/NetworkManager/dispatcher.d/11-dhclient: NetworkManager's DHCP
//    client does not run dhclient hooks; this dispatcher script passes the
//    DHCP options NetworkManager got (DHCP4_*) to the hooks in
//    etc/dhcp/dhclient.d as dhclient would (new_* variables), calling each
//    hook's <name>_config or <name>_restore function;
//  - etc/dhcp/dhclient.d/oci.sh: the hook, which runs etc/oci-dhclient.sh;
//  - etc/oci-dhclient.sh: sets the host name (and an /etc/hosts line) from
//    the DHCP answer of the OCI virtual cloud network, unless
//    /etc/oci-hostname.conf says PRESERVE_HOSTINFO=1 or more.
// These scripts are ocne's own, written from what the hooks must do.

#include "pkg/image/disk_edit.hpp"

#include <vector>

namespace ocne::providers::oci {

std::vector<image::ExtraFile> dhcp_hooks();

} // namespace ocne::providers::oci
