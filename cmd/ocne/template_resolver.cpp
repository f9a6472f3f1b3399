#include "cmd/ocne/template_resolver.hpp"

#include "pkg/cluster_templates/live_resolver.hpp"

namespace ocne::cli {

std::unique_ptr<cluster_templates::ResourceResolver>
make_template_resolver(const Context& ctx, const config::LoadedConfig& loaded)
{
  return cluster_templates::make_live_resolver(
    ctx.env,
    loaded.config,
    cluster_templates::LiveResolverOptions{ .oxide_host_subject = loaded.subject("providers.oxide.host"),
                                            .oxide_profile_subject = loaded.subject("providers.oxide.profile"),
                                            .oci_profile_given = loaded.origin("providers.oci.profile").source !=
                                                                 config::Origin::Source::builtin });
}

} // namespace ocne::cli
