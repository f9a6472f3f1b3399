#include "cmd/ocne/providers.hpp"

namespace ocne::cli {

void
start_libvirt(const config::LoadedConfig&, Context&)
{
  not_available("cluster start --provider libvirt", "the libvirt provider is not built yet");
}

} // namespace ocne::cli
