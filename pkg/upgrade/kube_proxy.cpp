#include "pkg/upgrade/kube_proxy.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/k8s/object.hpp"
#include "pkg/upgrade/node_journal.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ocne::upgrade {

using nlohmann::json;

Result<bool>
follow_kube_proxy_version(k8s::Client& client, const std::string& full_version, const KubeProxyOptions& options)
{
  const k8s::ObjectRef ref{ "apps/v1", "DaemonSet", "kube-system", "kube-proxy" };
  OCNE_TRY_ASSIGN(const auto ds, client.find(ref));
  if (!ds) {
    log::info("kube-proxy is not in the cluster; nothing to upgrade");
    return false;
  }
  const auto containers = (*ds)["spec"]["template"]["spec"].value("containers", json::array());
  std::size_t index = 0;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (containers[i].value("name", "") == "kube-proxy") {
      index = i;
    }
  }
  const std::string image = containers.empty() ? "" : containers[index].value("image", "");
  if (image.empty() || image.find('@') != std::string::npos) {
    log::info("kube-proxy's image {} is not a tag; left as it is", image);
    return false;
  }
  const auto colon = image.rfind(':');
  const bool tagged = colon != std::string::npos && image.find('/', colon) == std::string::npos;
  // A tag at the same minor is left as it is (a patch release is not ours to pick).
  if (tagged && kubelet_minor(image.substr(colon + 1)) == kubelet_minor(full_version)) {
    return false;
  }
  const std::string wanted = (tagged ? image.substr(0, colon) : image) + ":v" + full_version;
  bool changed = false;
  if (image != wanted) {
    const std::string at = fmt::format("/spec/template/spec/containers/{}/image", index);
    log::info("Upgrading kube-proxy to {}", wanted);
    OCNE_TRY(client.patch(ref,
                          k8s::PatchType::json,
                          json::array({ { { "op", "test" }, { "path", at }, { "value", image } },
                                        { { "op", "replace" }, { "path", at }, { "value", wanted } } })));
    changed = true;
  }
  PollMessages messages;
  messages.timed_out = [](std::string_view last) {
    return Error(ErrorKind::timeout, fmt::format("kube-proxy did not roll out in time ({})", last));
  };
  OCNE_TRY(poll({ .timeout = options.timeout, .interval = options.interval }, messages, [&]() -> Status {
    auto live = client.get(ref);
    if (!live) {
      if (live.error().kind() == ErrorKind::transient || live.error().kind() == ErrorKind::unavailable) {
        return not_ready_yet(live.error().message());
      }
      return tl::unexpected<Error>(live.error());
    }
    const auto& status = (*live).value("status", json::object());
    const long generation = (*live)["metadata"].value("generation", 0L);
    const long desired = status.value("desiredNumberScheduled", 0L);
    const long updated = status.value("updatedNumberScheduled", 0L);
    const long available = status.value("numberAvailable", 0L);
    const bool observed = status.value("observedGeneration", 0L) >= generation;
    if (observed && updated == desired && available == desired) {
      return {};
    }
    return not_ready_yet(fmt::format("kube-proxy: {} of {} pods updated, {} available", updated, desired, available));
  }));
  return changed;
}

} // namespace ocne::upgrade
