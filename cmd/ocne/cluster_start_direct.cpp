// `ocne cluster start` for a cloud with its own driver (libvirt).

#include "cmd/ocne/providers.hpp"
#include "pkg/cluster/lifecycle.hpp"
#include "pkg/config/layer.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"

namespace ocne::cli {

void
start_direct(const providers::CloudProvider& cloud, const config::LoadedConfig& loaded, Context& ctx)
{
  const auto& c = loaded.config;
  providers::ProviderContext context{ loaded, ctx.env, ctx.state, ctx.progress_sink(), {} };
  auto driver = value_or_throw(cloud.start_driver(context));
  const std::string name = c.name.value_or("ocne");
  cluster::StartRequest request;
  request.name = name;
  request.provider = std::string(cloud.name());
  request.kubernetes_version = c.kubernetes_version.get();
  request.config_yaml = config::to_yaml(c);
  const auto result = value_or_throw(cluster::start_cluster(*driver, request, ctx.state, ctx.progress_sink()));

  cluster::CacheTracker tracker(ctx.state, name);
  cluster::StartContext post_ctx{ name, tracker, ctx.progress_sink() };
  const auto post = value_or_throw(driver->post_start(post_ctx));
  if (!post.applications.empty()) {
    std::vector<std::string> names;
    for (const auto& app : post.applications) {
      names.push_back(fmt::format("{} ({} in {})", app.chart, app.release, app.namespace_));
    }
    log::warn("This build does not install applications yet; not installed: {}", str::join(names, ", "));
  }
  for (const auto& line : result.notes) {
    println(line);
  }
  for (const auto& line : post.notes) {
    println(line);
  }
}

} // namespace ocne::cli
