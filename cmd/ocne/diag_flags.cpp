#include "cmd/ocne/diag_flags.hpp"

#include "cmd/ocne/config_flags.hpp"

namespace ocne::cli {

void
add_target_flags(CLI::App& cmd, diag::Target& target)
{
  auto* k = cmd.add_option(
    "-k,--kubeconfig", target.kubeconfig, "Kubeconfig of the cluster (default: KUBECONFIG, else ~/.kube/config)");
  auto* c = cmd.add_option("-C,--cluster-name",
                           target.cluster_name,
                           "A cluster ocne knows (see 'ocne cluster list'), instead of -k" + default_note(""));
  k->excludes(c);
}

std::unique_ptr<k8s::Client>
target_client(const diag::Target& target, const Context& ctx)
{
  auto access = diag::resolve_access(target, ctx.env, ctx.state);
  if (!access) {
    throw Fatal(access.error());
  }
  return std::make_unique<k8s::Client>(std::move(*access));
}

} // namespace ocne::cli
