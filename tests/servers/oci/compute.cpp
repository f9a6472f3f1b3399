// Compute: image import from Object Storage with a work request that moves
// over time, ListImages, capability schemas and shape compatibility.

#include "tests/servers/oci/server_impl.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <set>

namespace ocne::test::oci {

namespace {

using S = OciTestServer::Impl;

const std::string k_global_schema_id = "ocid1.computeglobalimagecapabilityschema.oc1..aaaaaaaaocnetestglobal";
const std::string k_global_version = "2024-06-01";

// What the global schema allows (a subset of OCI's).
const std::map<std::string, std::vector<std::string>>&
allowed_capabilities()
{
  static const std::map<std::string, std::vector<std::string>> caps = {
    { "Compute.Firmware", { "BIOS", "UEFI_64" } },
    { "Compute.LaunchMode", { "NATIVE", "EMULATED", "PARAVIRTUALIZED", "CUSTOM" } },
    { "Network.AttachmentType", { "E1000", "VFIO", "PARAVIRTUALIZED" } },
    { "Storage.BootVolumeType", { "ISCSI", "SCSI", "IDE", "PARAVIRTUALIZED" } },
  };
  return caps;
}

bool
one_of(const std::string& v, std::initializer_list<const char*> options)
{
  return std::any_of(options.begin(), options.end(), [&](const char* o) { return v == o; });
}

json
image_json(const Image& i)
{
  json tags = json::object();
  for (const auto& [k, v] : i.tags) {
    tags[k] = v;
  }
  return json{ { "id", i.id },
               { "compartmentId", i.compartment_id },
               { "displayName", i.display_name },
               { "lifecycleState", i.state },
               { "launchMode", i.launch_mode },
               { "operatingSystem", i.operating_system },
               { "operatingSystemVersion", i.operating_system_version },
               { "freeformTags", tags },
               { "definedTags", json::object() },
               { "timeCreated", i.time_created },
               { "createImageAllowed", true },
               { "sizeInMBs", 1024 } };
}

json
work_request_json(const WorkRequest& w)
{
  json j{ { "id", w.id },
          { "operationType", "CreateImage" },
          { "status", w.status },
          { "compartmentId", w.compartment_id },
          { "percentComplete", w.percent },
          { "timeAccepted", w.time_accepted },
          { "resources",
            json::array({ json{ { "entityType", "image" },
                                { "actionType", w.status == "SUCCEEDED" ? "CREATED" : "IN_PROGRESS" },
                                { "identifier", w.image_id },
                                { "entityUri", "/20160918/images/" + w.image_id } } }) } };
  if (w.status != "ACCEPTED") {
    j["timeStarted"] = w.time_accepted;
  }
  if (!w.time_finished.empty()) {
    j["timeFinished"] = w.time_finished;
  }
  return j;
}

// Checks an OCI export (.oci: a gzipped tar) for its two members.
std::string
check_export(const std::string& content)
{
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  std::set<std::string> names;
  std::string problem;
  if (archive_read_open_memory(a, content.data(), content.size()) != ARCHIVE_OK) {
    problem = "the image is not a gzipped tar (OCI export format)";
  } else {
    struct archive_entry* e = nullptr;
    int r = ARCHIVE_OK;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
      const std::string name = archive_entry_pathname(e);
      if (!names.insert(name).second) {
        problem = "the export holds " + name + " twice";
        break;
      }
      if (name == "image_metadata.json") {
        std::string meta(static_cast<std::size_t>(archive_entry_size(e)), '\0');
        archive_read_data(a, meta.data(), meta.size());
        try {
          const auto j = json::parse(meta);
          if (j.value("version", 0) != 2) {
            problem = "image_metadata.json: version must be 2";
          }
        } catch (const std::exception&) {
          problem = "image_metadata.json is not JSON";
        }
      } else if (name == "output.QCOW2") {
        char magic[4] = {};
        if (archive_read_data(a, magic, 4) != 4 || std::string(magic, 4) != "QFI\xfb") {
          problem = "output.QCOW2 is not a QCOW2 image";
        }
      } else {
        archive_read_data_skip(a);
      }
    }
    if (problem.empty() && r != ARCHIVE_EOF) {
      problem = "the image is not a gzipped tar (OCI export format)";
    }
    if (problem.empty() && (names.count("output.QCOW2") == 0 || names.count("image_metadata.json") == 0)) {
      problem = "an OCI export must hold output.QCOW2 and image_metadata.json";
    }
  }
  archive_read_free(a);
  return problem;
}

void
create_image(S& s, Call& c)
{
  const auto body = json::parse(c.body);
  const auto compartment = body.value("compartmentId", std::string());
  if (!body.contains("imageSourceDetails") || !body["imageSourceDetails"].is_object()) {
    S::error(
      c, 400, "InvalidParameter", "imageSourceDetails is required (this test server imports from Object Storage)");
    return;
  }
  const auto& src = body["imageSourceDetails"];
  if (src.value("sourceType", std::string()) != "objectStorageTuple") {
    S::error(c, 400, "InvalidParameter", "sourceType must be objectStorageTuple");
    return;
  }
  for (const char* field : { "namespaceName", "bucketName", "objectName" }) {
    if (src.value(field, std::string()).empty()) {
      S::error(c, 400, "InvalidParameter", std::string("imageSourceDetails.") + field + " is required");
      return;
    }
  }
  const auto type = src.value("sourceImageType", std::string());
  if (!type.empty() && !one_of(type, { "QCOW2", "VMDK" })) {
    S::error(c, 400, "InvalidParameter", "sourceImageType must be QCOW2 or VMDK");
    return;
  }
  const auto launch = body.value("launchMode", std::string());
  if (!launch.empty() && !one_of(launch, { "NATIVE", "EMULATED", "PARAVIRTUALIZED", "CUSTOM" })) {
    S::error(c, 400, "InvalidParameter", "launchMode " + launch + " is not valid");
    return;
  }
  const auto token = c.req.get_header_value("opc-retry-token");
  const std::lock_guard lock(s.mutex);
  if (!token.empty()) {
    const auto it = s.retry_tokens.find(token);
    if (it != s.retry_tokens.end() && s.images.count(it->second) != 0) {
      const auto& img = s.images.at(it->second);
      c.res.set_header("opc-work-request-id", img.work_request_id);
      S::reply_json(c, 200, image_json(img));
      return;
    }
  }
  if (!s.compartment_exists(compartment)) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "compartment " + compartment + " not found");
    return;
  }
  Image img;
  img.id = s.new_id("image");
  img.compartment_id = compartment;
  img.display_name = body.value("displayName", img.id);
  img.launch_mode = launch.empty() ? "NATIVE" : launch;
  img.source_image_type = type;
  img.source_namespace = src["namespaceName"];
  img.source_bucket = src["bucketName"];
  img.source_object = src["objectName"];
  img.operating_system = src.value("operatingSystem", "Custom");
  img.operating_system_version = src.value("operatingSystemVersion", "");
  if (body.contains("freeformTags")) {
    for (const auto& [k, v] : body["freeformTags"].items()) {
      img.tags[k] = v.get<std::string>();
    }
  }
  img.created = Clock::now();
  img.time_created = s.timestamp(img.created);
  img.seq = ++s.seq;
  img.shapes = { "VM.Standard.E4.Flex", "VM.Standard.E5.Flex", "VM.Standard3.Flex", "VM.Standard.A1.Flex" };
  WorkRequest wr;
  wr.id = s.new_id("coreservicesworkrequest");
  wr.image_id = img.id;
  wr.compartment_id = compartment;
  wr.accepted = img.created;
  wr.time_accepted = img.time_created;
  wr.fail_message = std::exchange(s.next_import_failure, std::string());
  img.work_request_id = wr.id;
  if (!token.empty()) {
    s.retry_tokens[token] = img.id;
  }
  c.res.set_header("opc-work-request-id", wr.id);
  S::reply_json(c, 200, image_json(img));
  s.work_requests[wr.id] = std::move(wr);
  s.images[img.id] = std::move(img);
}

Image*
image_or_404(S& s, Call& c, const std::string& id)
{
  const auto it = s.images.find(id);
  if (it == s.images.end()) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.");
    return nullptr;
  }
  auto wr = s.work_requests.find(it->second.work_request_id);
  if (wr != s.work_requests.end()) {
    s.advance_import(it->second, wr->second);
  }
  return &it->second;
}

void
get_image(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  if (auto* img = image_or_404(s, c, c.path_arg(1))) {
    S::reply_json(c, 200, image_json(*img));
  }
}

void
delete_image(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  if (auto* img = image_or_404(s, c, c.path_arg(1))) {
    std::erase_if(s.schemas, [&](const auto& kv) { return kv.second.image_id == img->id; });
    s.images.erase(img->id);
    c.res.status = 204;
  }
}

void
list_images(S& s, Call& c)
{
  const auto compartment = c.param("compartmentId");
  if (compartment.empty()) {
    S::error(c, 400, "MissingParameter", "compartmentId is required");
    return;
  }
  const auto name = c.param("displayName");
  const auto state = c.param("lifecycleState");
  const auto sort_by = c.param("sortBy").empty() ? std::string("TIMECREATED") : c.param("sortBy");
  const auto order =
    c.param("sortOrder").empty() ? std::string(sort_by == "TIMECREATED" ? "DESC" : "ASC") : c.param("sortOrder");
  std::vector<Image*> found;
  const std::lock_guard lock(s.mutex);
  for (auto& [id, img] : s.images) {
    auto wr = s.work_requests.find(img.work_request_id);
    if (wr != s.work_requests.end()) {
      s.advance_import(img, wr->second);
    }
    if (img.compartment_id == compartment && (name.empty() || img.display_name == name) &&
        (state.empty() || img.state == state)) {
      found.push_back(&img);
    }
  }
  std::sort(found.begin(), found.end(), [&](const Image* a, const Image* b) {
    const bool less = sort_by == "DISPLAYNAME" ? a->display_name < b->display_name
                                               : (a->created != b->created ? a->created < b->created : a->seq < b->seq);
    const bool greater = sort_by == "DISPLAYNAME"
                           ? b->display_name < a->display_name
                           : (a->created != b->created ? b->created < a->created : b->seq < a->seq);
    return order == "DESC" ? greater : less;
  });
  std::vector<json> all;
  for (const auto* img : found) {
    all.push_back(image_json(*img));
  }
  S::reply_json(c, 200, json(s.page(c, all)));
}

void
get_work_request(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  const auto it = s.work_requests.find(c.path_arg(1));
  if (it == s.work_requests.end()) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.");
    return;
  }
  auto img = s.images.find(it->second.image_id);
  if (img != s.images.end()) {
    s.advance_import(img->second, it->second);
  }
  S::reply_json(c, 200, work_request_json(it->second));
}

void
list_work_request_errors(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  const auto it = s.work_requests.find(c.path_arg(1));
  if (it == s.work_requests.end()) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.");
    return;
  }
  S::reply_json(c, 200, json(s.page(c, it->second.errors)));
}

void
list_global_schemas(S& s, Call& c)
{
  S::reply_json(c,
                200,
                json::array({ json{ { "id", k_global_schema_id },
                                    { "displayName", "OCI.ComputeGlobalImageCapabilitySchema" },
                                    { "currentVersionName", k_global_version },
                                    { "timeCreated", s.timestamp(Clock::from_time_t(1700000000)) } } }));
}

void
get_global_schema_version(S& s, Call& c)
{
  if (c.path_arg(1) != k_global_schema_id || c.path_arg(2) != k_global_version) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.");
    return;
  }
  json data = json::object();
  for (const auto& [name, values] : allowed_capabilities()) {
    data[name] = json{
      { "descriptorType", "enumstring" }, { "source", "GLOBAL" }, { "values", values }, { "defaultValue", values[0] }
    };
  }
  S::reply_json(c,
                200,
                json{ { "name", k_global_version },
                      { "computeGlobalImageCapabilitySchemaId", k_global_schema_id },
                      { "displayName", k_global_version },
                      { "schemaData", data },
                      { "timeCreated", s.timestamp(Clock::from_time_t(1700000000)) } });
}

json
schema_json(const CapabilitySchema& cs)
{
  return json{ { "id", cs.id },
               { "compartmentId", cs.compartment_id },
               { "imageId", cs.image_id },
               { "computeGlobalImageCapabilitySchemaId", k_global_schema_id },
               { "computeGlobalImageCapabilitySchemaVersionName", cs.version_name },
               { "displayName", cs.id },
               { "schemaData", cs.schema_data },
               { "timeCreated", cs.time_created } };
}

void
create_schema(S& s, Call& c)
{
  const auto body = json::parse(c.body);
  const auto version = body.value("computeGlobalImageCapabilitySchemaVersionName", std::string());
  if (version != k_global_version) {
    S::error(c, 400, "InvalidParameter", "computeGlobalImageCapabilitySchemaVersionName must be " + k_global_version);
    return;
  }
  if (!body.contains("schemaData") || !body["schemaData"].is_object() || body["schemaData"].empty()) {
    S::error(c, 400, "InvalidParameter", "schemaData is required");
    return;
  }
  for (const auto& [name, d] : body["schemaData"].items()) {
    const auto allowed = allowed_capabilities().find(name);
    if (allowed == allowed_capabilities().end()) {
      S::error(c, 400, "InvalidParameter", "capability " + name + " is not in the global schema");
      return;
    }
    if (d.value("descriptorType", std::string()) != "enumstring" ||
        !one_of(d.value("source", std::string()), { "IMAGE", "GLOBAL" }) || !d.contains("values") ||
        !d["values"].is_array() || d["values"].empty()) {
      S::error(
        c, 400, "InvalidParameter", "capability " + name + ": need descriptorType enumstring, source and values");
      return;
    }
    for (const auto& v : d["values"]) {
      if (std::find(allowed->second.begin(), allowed->second.end(), v.get<std::string>()) == allowed->second.end()) {
        S::error(
          c, 400, "InvalidParameter", "capability " + name + ": value " + v.get<std::string>() + " is not allowed");
        return;
      }
    }
    const auto def = d.value("defaultValue", std::string());
    if (std::find(d["values"].begin(), d["values"].end(), def) == d["values"].end()) {
      S::error(c, 400, "InvalidParameter", "capability " + name + ": defaultValue must be one of values");
      return;
    }
  }
  const std::lock_guard lock(s.mutex);
  if (!s.compartment_exists(body.value("compartmentId", std::string()))) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "compartment not found");
    return;
  }
  auto* img = image_or_404(s, c, body.value("imageId", std::string()));
  if (img == nullptr) {
    return;
  }
  if (img->state != "AVAILABLE") {
    S::error(c, 409, "IncorrectState", "image " + img->id + " is " + img->state);
    return;
  }
  for (const auto& [id, existing] : s.schemas) {
    if (existing.image_id == img->id) {
      S::error(c, 409, "Conflict", "image " + img->id + " already has a capability schema");
      return;
    }
  }
  CapabilitySchema cs;
  cs.id = s.new_id("computeimagecapabilityschema");
  cs.compartment_id = body["compartmentId"];
  cs.image_id = img->id;
  cs.version_name = version;
  cs.schema_data = body["schemaData"];
  cs.time_created = s.timestamp(Clock::now());
  S::reply_json(c, 200, schema_json(cs));
  s.schemas[cs.id] = std::move(cs);
}

void
list_schemas(S& s, Call& c)
{
  const auto compartment = c.param("compartmentId");
  const auto image = c.param("imageId");
  std::vector<json> all;
  {
    const std::lock_guard lock(s.mutex);
    for (const auto& [id, cs] : s.schemas) {
      if ((compartment.empty() || cs.compartment_id == compartment) && (image.empty() || cs.image_id == image)) {
        all.push_back(schema_json(cs));
      }
    }
  }
  S::reply_json(c, 200, json(s.page(c, all)));
}

void
list_shapes(S& s, Call& c)
{
  std::vector<json> all;
  {
    const std::lock_guard lock(s.mutex);
    auto* img = image_or_404(s, c, c.path_arg(1));
    if (img == nullptr) {
      return;
    }
    for (const auto& shape : img->shapes) {
      all.push_back(json{ { "imageId", img->id }, { "shape", shape } });
    }
  }
  S::reply_json(c, 200, json(s.page(c, all)));
}

void
add_shape(S& s, Call& c)
{
  if (!c.body.empty()) {
    [[maybe_unused]] const auto parsed = json::parse(c.body); // must be JSON when present
  }
  const std::lock_guard lock(s.mutex);
  auto* img = image_or_404(s, c, c.path_arg(1));
  if (img == nullptr) {
    return;
  }
  const auto shape = c.path_arg(2);
  if (std::find(img->shapes.begin(), img->shapes.end(), shape) == img->shapes.end()) {
    img->shapes.push_back(shape);
  }
  S::reply_json(c, 200, json{ { "imageId", img->id }, { "shape", shape } });
}

void
remove_shape(S& s, Call& c)
{
  const std::lock_guard lock(s.mutex);
  auto* img = image_or_404(s, c, c.path_arg(1));
  if (img == nullptr) {
    return;
  }
  const auto it = std::find(img->shapes.begin(), img->shapes.end(), c.path_arg(2));
  if (it == img->shapes.end()) {
    S::error(c, 404, "NotAuthorizedOrNotFound", "shape " + c.path_arg(2) + " is not compatible with the image");
    return;
  }
  img->shapes.erase(it);
  c.res.status = 204;
}

} // namespace

std::string
OciTestServer::Impl::validate_import_source(const Image& image)
{
  if (image.source_namespace != options.namespace_name) {
    return "namespace " + image.source_namespace + " not found";
  }
  const auto b = buckets.find(image.source_bucket);
  if (b == buckets.end()) {
    return "bucket " + image.source_bucket + " not found";
  }
  const auto o = b->second.objects.find(image.source_object);
  if (o == b->second.objects.end()) {
    return "object " + image.source_object + " not found in bucket " + image.source_bucket;
  }
  // Content checks need the bytes; small exports are read whole.
  const bool qcow2 = image.source_image_type == "QCOW2";
  const std::uint64_t want = qcow2 ? 4 : std::min<std::uint64_t>(o->second.size, 64ULL << 20);
  std::string head;
  const bool kept = read_blobs(o->second.blobs, [&](const char* p, std::size_t n) {
    head.append(p, std::min<std::size_t>(n, want - head.size()));
    return head.size() < want;
  });
  if (!kept) {
    return ""; // digest-only storage: nothing to inspect
  }
  if (qcow2) {
    return head.rfind("QFI\xfb", 0) == 0 ? "" : "the image is not in QCOW2 format";
  }
  if (image.source_image_type == "VMDK") {
    return "";
  }
  if (o->second.size > want) {
    return head.rfind("\x1f\x8b", 0) == 0 ? "" : "the image is not a gzipped tar (OCI export format)";
  }
  return check_export(head);
}

void
OciTestServer::Impl::advance_import(Image& image, WorkRequest& wr)
{
  if (wr.status == "SUCCEEDED" || wr.status == "FAILED") {
    return;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - wr.accepted);
  const double frac = options.import_duration.count() > 0
                        ? static_cast<double>(elapsed.count()) / static_cast<double>(options.import_duration.count())
                        : 1.0;
  if (frac < 0.1) {
    wr.status = "ACCEPTED";
    wr.percent = 0;
    return;
  }
  if (frac < 1.0) {
    wr.status = "IN_PROGRESS";
    wr.percent = static_cast<int>(frac * 100);
    return;
  }
  auto problem = wr.fail_message.empty() ? validate_import_source(image) : wr.fail_message;
  wr.time_finished = timestamp(Clock::now());
  if (problem.empty()) {
    wr.status = "SUCCEEDED";
    wr.percent = 100;
    image.state = "AVAILABLE";
  } else {
    wr.status = "FAILED";
    wr.errors.push_back(
      json{ { "code", "ImageImportFailed" }, { "message", problem }, { "timestamp", wr.time_finished } });
    image.state = "DISABLED";
  }
}

void
OciTestServer::Impl::register_compute()
{
  const std::string api = "/20160918";
  add_route("POST", api + "/images", "CreateImage", BodyKind::json, create_image);
  add_route("GET", api + "/images", "ListImages", BodyKind::none, list_images);
  add_route("GET", api + "/images/{}", "GetImage", BodyKind::none, get_image);
  add_route("DELETE", api + "/images/{}", "DeleteImage", BodyKind::none, delete_image);
  add_route("GET", api + "/images/{}/shapes", "ListImageShapeCompatibilityEntries", BodyKind::none, list_shapes);
  add_route("PUT", api + "/images/{}/shapes/{}", "AddImageShapeCompatibilityEntry", BodyKind::json, add_shape);
  add_route("DELETE", api + "/images/{}/shapes/{}", "RemoveImageShapeCompatibilityEntry", BodyKind::none, remove_shape);
  add_route("GET", api + "/workRequests/{}", "GetWorkRequest", BodyKind::none, get_work_request);
  add_route("GET", api + "/workRequests/{}/errors", "ListWorkRequestErrors", BodyKind::none, list_work_request_errors);
  add_route("GET",
            api + "/computeGlobalImageCapabilitySchemas",
            "ListComputeGlobalImageCapabilitySchemas",
            BodyKind::none,
            list_global_schemas);
  add_route("GET",
            api + "/computeGlobalImageCapabilitySchemas/{}/versions/{}",
            "GetComputeGlobalImageCapabilitySchemaVersion",
            BodyKind::none,
            get_global_schema_version);
  add_route("POST",
            api + "/computeImageCapabilitySchemas",
            "CreateComputeImageCapabilitySchema",
            BodyKind::json,
            create_schema);
  add_route(
    "GET", api + "/computeImageCapabilitySchemas", "ListComputeImageCapabilitySchemas", BodyKind::none, list_schemas);
}

} // namespace ocne::test::oci
