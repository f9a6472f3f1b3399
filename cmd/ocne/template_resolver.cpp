#include "cmd/ocne/template_resolver.hpp"

#include "pkg/capi/live_resolver.hpp"

namespace ocne::cli {

std::unique_ptr<capi::ResourceResolver>
make_template_resolver(const Context& ctx, const config::LoadedConfig& loaded)
{
  return capi::make_live_resolver(
    ctx.env,
    loaded.config,
    capi::LiveResolverOptions{ .oxide_host_subject = loaded.subject("providers.oxide.host"),
                               .oxide_profile_subject = loaded.subject("providers.oxide.profile"),
                               .oci_profile_given =
                                 loaded.origin("providers.oci.profile").source != config::Origin::Source::builtin });
}

} // namespace ocne::cli
