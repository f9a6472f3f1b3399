#pragma once

// Compute images: import from Object Storage, work requests, ListImages with
// ocne's tags, the UEFI capability schema and shape compatibility.

#include "pkg/core/clock.hpp"
#include "pkg/core/progress.hpp"
#include "pkg/oci/client.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::oci {

inline constexpr const char* k_tag_kubernetes = "ocne/kubernetes";
inline constexpr const char* k_tag_architecture = "ocne/architecture";

// The shapes ocne treats as arm64 (everything else is amd64).
std::string architecture_for_shape(std::string_view shape);
// Shapes an arm64 image is made compatible with.
const std::vector<std::string>& arm_shapes();

struct Image
{
  std::string id;
  std::string compartment_id;
  std::string display_name;
  std::string lifecycle_state; // PROVISIONING, IMPORTING, AVAILABLE, EXPORTING, DISABLED, DELETED
  std::string time_created;    // RFC 3339
  std::string launch_mode;
  std::map<std::string, std::string> freeform_tags;
};

struct CreateImageRequest
{
  std::string compartment_id;
  std::string display_name;
  std::map<std::string, std::string> freeform_tags;
  std::string namespace_name;
  std::string bucket;
  std::string object;
  // "QCOW2" for a plain image; "" for the .oci export form (its metadata
  // carries the launch options).
  std::string source_image_type = "QCOW2";
  std::string launch_mode = "PARAVIRTUALIZED"; // "" to leave it to the export
  std::string operating_system = "Oracle Linux";
  std::string operating_system_version = "8";
  // Makes a retried CreateImage return the first image instead of a second.
  std::string retry_token;
};

struct CreatedImage
{
  Image image;
  std::string work_request_id;
};

struct WorkRequest
{
  std::string id;
  std::string status; // ACCEPTED, IN_PROGRESS, SUCCEEDED, FAILED, CANCELING, CANCELED
  int percent_complete = 0;
};

struct WaitOptions
{
  // Polls start at initial_poll and double up to poll, so short imports are
  // noticed at once and long ones cost few calls.
  std::chrono::milliseconds initial_poll{ 1000 };
  std::chrono::milliseconds poll{ 10000 };
  std::chrono::milliseconds timeout{ std::chrono::hours(3) };
  Clock* clock = nullptr; // null: real_clock()
};

class Compute
{
public:
  explicit Compute(const Client& client) : m_client(client)
  {
  }

  Result<CreatedImage> create_image(const CreateImageRequest& request) const;
  Result<Image> get_image(const std::string& image_id) const;
  Status delete_image(const std::string& image_id) const;
  // Every page of ListImages in a compartment, optionally by display name.
  Result<std::vector<Image>> list_images(const std::string& compartment_id, const std::string& display_name = "") const;
  // The newest image named display_name whose ocne tags match, preferring
  // AVAILABLE ones; an IMPORTING one is returned when no AVAILABLE one exists.
  Result<std::optional<Image>> find_image(const std::string& compartment_id,
                                          const std::string& display_name,
                                          const std::string& kubernetes_version,
                                          const std::string& architecture) const;

  Result<WorkRequest> get_work_request(const std::string& id) const;
  // The messages of a failed work request, joined.
  Result<std::string> work_request_errors(const std::string& id) const;
  // Polls until SUCCEEDED (ok) or FAILED/CANCELED/timeout (error, with
  // OCI's messages). percentComplete goes to progress.
  Result<WorkRequest> wait_work_request(const std::string& id, const WaitOptions& wait, ProgressTask* progress) const;
  // Polls an image until AVAILABLE (for an import started by someone else).
  Result<Image> wait_image_available(const std::string& image_id, const WaitOptions& wait) const;

  // UEFI_64 firmware and PARAVIRTUALIZED launch mode through an image
  // capability schema on the global schema's current version; nothing to do
  // when the image already has one.
  Status ensure_uefi_capability_schema(const std::string& compartment_id, const std::string& image_id) const;
  // Whether the image has a capability schema (and its schemaData as JSON).
  Result<std::optional<std::string>> image_capability_schema(const std::string& compartment_id,
                                                             const std::string& image_id) const;

  Result<std::vector<std::string>> list_image_shapes(const std::string& image_id) const;
  Status add_image_shape(const std::string& image_id, const std::string& shape) const;
  Status remove_image_shape(const std::string& image_id, const std::string& shape) const;
  // arm64: drop every non-Arm shape, then add the Arm ones (idempotent).
  Status ensure_arm_shapes(const std::string& image_id) const;
  // The schema, plus the Arm shapes for arm64 images (what ocne does on start).
  Status ensure_image_details(const std::string& compartment_id,
                              const std::string& image_id,
                              const std::string& architecture) const;

private:
  const Client& m_client;
};

} // namespace ocne::oci
