#include "cmd/ocne/providers.hpp"

namespace ocne::cli {

void
delete_libvirt(const config::LoadedConfig&, Context&)
{
  not_available("cluster delete --provider libvirt", "the libvirt provider is not built yet");
}

} // namespace ocne::cli
