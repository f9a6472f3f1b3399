#include "pkg/oci/compute.hpp"

#include "pkg/core/log.hpp"
#include "pkg/core/poll.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/oci/json_util.hpp"

#include <algorithm>

namespace ocne::oci {

using detail::json;
using detail::str_field;

namespace {

Image
image_from(const json& j)
{
  Image i;
  i.id = str_field(j, "id");
  i.compartment_id = str_field(j, "compartmentId");
  i.display_name = str_field(j, "displayName");
  i.lifecycle_state = str_field(j, "lifecycleState");
  i.time_created = str_field(j, "timeCreated");
  i.launch_mode = str_field(j, "launchMode");
  if (j.contains("freeformTags") && j["freeformTags"].is_object()) {
    for (const auto& [k, v] : j["freeformTags"].items()) {
      if (v.is_string()) {
        i.freeform_tags[k] = v.get<std::string>();
      }
    }
  }
  return i;
}

PollOptions
poll_options(const WaitOptions& wait)
{
  // Short imports are noticed at once, long ones cost few calls.
  return { .timeout = wait.timeout,
           .interval = std::min(wait.initial_poll, wait.poll),
           .max_interval = wait.poll,
           .clock = wait.clock };
}

bool
is_arm_shape(std::string_view shape)
{
  return shape.find(".A1.") != std::string_view::npos || shape.find(".A2.") != std::string_view::npos ||
         shape.find("Generic") != std::string_view::npos;
}

} // namespace

std::string
architecture_for_shape(std::string_view shape)
{
  for (const auto& s : arm_shapes()) {
    if (shape == s) {
      return "arm64";
    }
  }
  return "amd64";
}

const std::vector<std::string>&
arm_shapes()
{
  static const std::vector<std::string> shapes = { "VM.Standard.A1.Flex", "VM.Standard.A2.Flex", "BM.Standard.A1.160" };
  return shapes;
}

Result<CreatedImage>
Compute::create_image(const CreateImageRequest& r) const
{
  json source = { { "sourceType", "objectStorageTuple" },
                  { "namespaceName", r.namespace_name },
                  { "bucketName", r.bucket },
                  { "objectName", r.object },
                  { "operatingSystem", r.operating_system },
                  { "operatingSystemVersion", r.operating_system_version } };
  if (!r.source_image_type.empty()) {
    source["sourceImageType"] = r.source_image_type;
  }
  json body = { { "compartmentId", r.compartment_id },
                { "displayName", r.display_name },
                { "imageSourceDetails", source } };
  if (!r.launch_mode.empty()) {
    body["launchMode"] = r.launch_mode;
  }
  if (!r.freeform_tags.empty()) {
    body["freeformTags"] = r.freeform_tags;
  }
  http::Request req{ .method = "POST", .url = m_client.endpoints().iaas + "/20160918/images" };
  req.body = body.dump();
  req.headers.set("content-type", "application/json");
  if (!r.retry_token.empty()) {
    req.headers.set("opc-retry-token", r.retry_token);
    req.idempotent = true;
  }
  const auto what = fmt::format("create image {} from object {}", str::quote(r.display_name), str::quote(r.object));
  OCNE_TRY_ASSIGN(const auto response, m_client.call(what, std::move(req)));
  OCNE_TRY_ASSIGN(const auto j, detail::parse_json(what, response.body));
  CreatedImage out{ image_from(j), response.header("opc-work-request-id").value_or("") };
  if (out.image.id.empty() || out.work_request_id.empty()) {
    return make_error(ErrorKind::internal, "{}: the answer has no image id or work request id", what);
  }
  return out;
}

Result<Image>
Compute::get_image(const std::string& image_id) const
{
  OCNE_TRY_ASSIGN(const auto j,
                  detail::json_call(m_client,
                                    fmt::format("get image {}", image_id),
                                    "GET",
                                    m_client.endpoints().iaas + "/20160918/images/" + http::url_encode(image_id)));
  return image_from(j);
}

Status
Compute::delete_image(const std::string& image_id) const
{
  http::Request req{ .method = "DELETE",
                     .url = m_client.endpoints().iaas + "/20160918/images/" + http::url_encode(image_id) };
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(req)));
  if (!response.ok() && response.status != 404) {
    return make_error(m_client.api_error(fmt::format("delete image {}", image_id), response));
  }
  return {};
}

Result<std::vector<Image>>
Compute::list_images(const std::string& compartment_id, const std::string& display_name) const
{
  http::QueryParams params = {
    { "compartmentId", compartment_id }, { "sortBy", "TIMECREATED" }, { "sortOrder", "DESC" }, { "limit", "100" }
  };
  if (!display_name.empty()) {
    params.emplace_back("displayName", display_name);
  }
  OCNE_TRY_ASSIGN(const auto items,
                  detail::list_all(m_client,
                                   fmt::format("list images in {}", compartment_id),
                                   m_client.endpoints().iaas + "/20160918/images",
                                   std::move(params)));
  std::vector<Image> out;
  for (const auto& i : items) {
    out.push_back(image_from(i));
  }
  return out;
}

Result<std::optional<Image>>
Compute::find_image(const std::string& compartment_id,
                    const std::string& display_name,
                    const std::string& kubernetes_version,
                    const std::string& architecture) const
{
  OCNE_TRY_ASSIGN(const auto images, list_images(compartment_id, display_name));
  std::optional<Image> available;
  std::optional<Image> importing;
  for (const auto& img : images) {
    const auto tag = [&](const char* name) {
      const auto it = img.freeform_tags.find(name);
      return it == img.freeform_tags.end() ? std::string() : it->second;
    };
    if (img.display_name != display_name || tag(k_tag_kubernetes) != kubernetes_version ||
        tag(k_tag_architecture) != architecture) {
      continue;
    }
    std::optional<Image>* slot = nullptr;
    if (img.lifecycle_state == "AVAILABLE") {
      slot = &available;
    } else if (img.lifecycle_state == "IMPORTING" || img.lifecycle_state == "PROVISIONING") {
      slot = &importing;
    } else {
      continue; // DISABLED, DELETED, EXPORTING
    }
    // RFC 3339 times in one format sort as text.
    if (!*slot || img.time_created > (*slot)->time_created) {
      *slot = img;
    }
  }
  return available ? available : importing;
}

Result<WorkRequest>
Compute::get_work_request(const std::string& id) const
{
  OCNE_TRY_ASSIGN(const auto j,
                  detail::json_call(m_client,
                                    fmt::format("get work request {}", id),
                                    "GET",
                                    m_client.endpoints().iaas + "/20160918/workRequests/" + http::url_encode(id)));
  WorkRequest w;
  w.id = str_field(j, "id");
  w.status = str_field(j, "status");
  if (j.contains("percentComplete") && j["percentComplete"].is_number()) {
    w.percent_complete = static_cast<int>(j["percentComplete"].get<double>());
  }
  return w;
}

Result<std::string>
Compute::work_request_errors(const std::string& id) const
{
  OCNE_TRY_ASSIGN(
    const auto items,
    detail::list_all(m_client,
                     fmt::format("list the errors of work request {}", id),
                     m_client.endpoints().iaas + "/20160918/workRequests/" + http::url_encode(id) + "/errors",
                     {}));
  std::vector<std::string> messages;
  for (const auto& e : items) {
    const auto code = str_field(e, "code");
    const auto message = str_field(e, "message");
    messages.push_back(code.empty() ? message : code + ": " + message);
  }
  return str::join(messages, "; ");
}

Result<WorkRequest>
Compute::wait_work_request(const std::string& id, const WaitOptions& wait, ProgressTask* progress) const
{
  std::string last_status;
  PollMessages messages;
  messages.timed_out = [&](std::string_view status) {
    return Error(ErrorKind::timeout,
                 fmt::format("work request {} is still {} after {} s",
                             id,
                             status,
                             std::chrono::duration_cast<std::chrono::seconds>(wait.timeout).count()));
  };
  return poll(poll_options(wait), messages, [&]() -> Result<WorkRequest> {
    OCNE_TRY_ASSIGN(const auto w, get_work_request(id));
    if (progress != nullptr) {
      progress->set_done(static_cast<std::uint64_t>(std::clamp(w.percent_complete, 0, 100)));
    }
    if (w.status != last_status) {
      log::debug("work request {} is {} ({}%)", id, w.status, w.percent_complete);
      last_status = w.status;
    }
    if (w.status == "SUCCEEDED") {
      return w;
    }
    if (w.status == "FAILED" || w.status == "CANCELED") {
      auto errors = work_request_errors(id);
      const auto detail = errors && !errors->empty() ? *errors : std::string("no error details");
      return make_error(ErrorKind::io, "work request {} {}: {}", id, str::to_lower(w.status), detail);
    }
    return not_ready_yet(w.status);
  });
}

Result<Image>
Compute::wait_image_available(const std::string& image_id, const WaitOptions& wait) const
{
  PollMessages messages;
  messages.timed_out = [&](std::string_view state) {
    return Error(ErrorKind::timeout, fmt::format("image {} is still {}", image_id, state));
  };
  return poll(poll_options(wait), messages, [&]() -> Result<Image> {
    OCNE_TRY_ASSIGN(const auto img, get_image(image_id));
    if (img.lifecycle_state == "AVAILABLE") {
      return img;
    }
    if (img.lifecycle_state != "IMPORTING" && img.lifecycle_state != "PROVISIONING") {
      return make_error(ErrorKind::io, "image {} is {}, not AVAILABLE", image_id, img.lifecycle_state);
    }
    return not_ready_yet(img.lifecycle_state);
  });
}

Result<std::optional<std::string>>
Compute::image_capability_schema(const std::string& compartment_id, const std::string& image_id) const
{
  OCNE_TRY_ASSIGN(const auto items,
                  detail::list_all(m_client,
                                   fmt::format("list the capability schemas of image {}", image_id),
                                   m_client.endpoints().iaas + "/20160918/computeImageCapabilitySchemas",
                                   { { "compartmentId", compartment_id }, { "imageId", image_id } }));
  for (const auto& s : items) {
    if (str_field(s, "imageId") == image_id) {
      return std::optional<std::string>(s.contains("schemaData") ? s["schemaData"].dump() : "{}");
    }
  }
  return std::optional<std::string>();
}

Status
Compute::ensure_uefi_capability_schema(const std::string& compartment_id, const std::string& image_id) const
{
  OCNE_TRY_ASSIGN(const auto existing, image_capability_schema(compartment_id, image_id));
  if (existing) {
    return {};
  }
  OCNE_TRY_ASSIGN(const auto globals,
                  detail::list_all(m_client,
                                   "list the global image capability schemas",
                                   m_client.endpoints().iaas + "/20160918/computeGlobalImageCapabilitySchemas",
                                   {}));
  if (globals.size() != 1) {
    return make_error(
      ErrorKind::internal, "expected one global image capability schema, the service lists {}", globals.size());
  }
  const auto version = str_field(globals[0], "currentVersionName");
  const auto descriptor = [](const char* value) {
    return json{ { "descriptorType", "enumstring" },
                 { "source", "IMAGE" },
                 { "values", json::array({ value }) },
                 { "defaultValue", value } };
  };
  const json body = { { "compartmentId", compartment_id },
                      { "imageId", image_id },
                      { "computeGlobalImageCapabilitySchemaVersionName", version },
                      { "schemaData",
                        { { "Compute.Firmware", descriptor("UEFI_64") },
                          { "Compute.LaunchMode", descriptor("PARAVIRTUALIZED") } } } };
  OCNE_TRY(detail::json_call(m_client,
                             fmt::format("set the UEFI capability schema of image {}", image_id),
                             "POST",
                             m_client.endpoints().iaas + "/20160918/computeImageCapabilitySchemas",
                             &body));
  return {};
}

Result<std::vector<std::string>>
Compute::list_image_shapes(const std::string& image_id) const
{
  OCNE_TRY_ASSIGN(
    const auto items,
    detail::list_all(m_client,
                     fmt::format("list the compatible shapes of image {}", image_id),
                     m_client.endpoints().iaas + "/20160918/images/" + http::url_encode(image_id) + "/shapes",
                     { { "limit", "50" } }));
  std::vector<std::string> out;
  for (const auto& s : items) {
    out.push_back(str_field(s, "shape"));
  }
  return out;
}

Status
Compute::add_image_shape(const std::string& image_id, const std::string& shape) const
{
  const json body = json::object();
  OCNE_TRY(detail::json_call(m_client,
                             fmt::format("make image {} compatible with shape {}", image_id, shape),
                             "PUT",
                             m_client.endpoints().iaas + "/20160918/images/" + http::url_encode(image_id) + "/shapes/" +
                               http::url_encode(shape),
                             &body));
  return {};
}

Status
Compute::remove_image_shape(const std::string& image_id, const std::string& shape) const
{
  http::Request req{ .method = "DELETE",
                     .url = m_client.endpoints().iaas + "/20160918/images/" + http::url_encode(image_id) + "/shapes/" +
                            http::url_encode(shape) };
  OCNE_TRY_ASSIGN(const auto response, m_client.send(std::move(req)));
  if (!response.ok() && response.status != 404) {
    return make_error(m_client.api_error(fmt::format("remove shape {} from image {}", shape, image_id), response));
  }
  return {};
}

Status
Compute::ensure_arm_shapes(const std::string& image_id) const
{
  OCNE_TRY_ASSIGN(const auto shapes, list_image_shapes(image_id));
  for (const auto& shape : shapes) {
    if (!is_arm_shape(shape)) {
      if (auto removed = remove_image_shape(image_id, shape); !removed) {
        log::warn("{}", removed.error().message());
      }
    }
  }
  for (const auto& shape : arm_shapes()) {
    if (std::find(shapes.begin(), shapes.end(), shape) == shapes.end()) {
      OCNE_TRY(add_image_shape(image_id, shape));
    }
  }
  return {};
}

Status
Compute::ensure_image_details(const std::string& compartment_id,
                              const std::string& image_id,
                              const std::string& architecture) const
{
  OCNE_TRY(ensure_uefi_capability_schema(compartment_id, image_id));
  if (architecture == "arm64") {
    OCNE_TRY(ensure_arm_shapes(image_id));
  }
  return {};
}

} // namespace ocne::oci
