#include "pkg/oci/compute.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/oci/object_storage.hpp"
#include "tests/component/pkg/oci/oci_fixture.hpp"
#include "tests/support/fake_clock.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ocne::oci {
namespace {

WaitOptions
quick(std::chrono::milliseconds poll, std::chrono::milliseconds timeout)
{
  WaitOptions w;
  w.initial_poll = poll;
  w.poll = poll;
  w.timeout = timeout;
  return w;
}

class ComputeTest : public test::OciServerTest
{
protected:
  void
  SetUp() override
  {
    OciServerTest::SetUp();
    compartment = server->add_compartment(tenancy(), "images");
    server->add_bucket(compartment, "b");
    compute = std::make_unique<Compute>(*client);
  }

  // Puts a small object with the given content.
  void
  put(const std::string& name, const std::string& content)
  {
    const auto path = write(name, content);
    ObjectStorage os(*client);
    ASSERT_TRUE(os.put_object("ocnetestns", "b", name, { path.string(), 0, content.size() }, md5(content), {}));
  }

  CreateImageRequest
  request(const std::string& object)
  {
    CreateImageRequest r;
    r.compartment_id = compartment;
    r.display_name = "ock";
    r.freeform_tags = { { k_tag_kubernetes, "1.33" }, { k_tag_architecture, "amd64" } };
    r.namespace_name = "ocnetestns";
    r.bucket = "b";
    r.object = object;
    return r;
  }

  class Percent : public ProgressSink
  {
  public:
    void
    begin(std::uint64_t, std::string_view, std::uint64_t, ProgressUnit) override
    {
    }
    void
    update(std::uint64_t, std::uint64_t done, std::uint64_t) override
    {
      seen.push_back(done);
    }
    void
    end(std::uint64_t, bool, std::string_view) override
    {
    }
    std::vector<std::uint64_t> seen;
  };

  std::string compartment;
  std::unique_ptr<Compute> compute;
};

// Imports that take 2 s, so that several polls see the import unfinished even
// when the machine is loaded (in 300 ms, a stalled ASan run under -j2 could
// poll too few times, or finish before a 20 ms wait gave up).
class ComputeSlowImportTest : public ComputeTest
{
protected:
  ::ocne::test::oci::ServerOptions
  server_options() const override
  {
    auto so = ComputeTest::server_options();
    so.import_duration = std::chrono::seconds(2);
    return so;
  }
};

TEST_F(ComputeSlowImportTest, ImportsAndWaitsWithProgress)
{
  put("disk.qcow2", std::string("QFI\xfb\0\0\0\3", 8) + std::string(1000, 'x'));
  auto created = compute->create_image(request("disk.qcow2"));
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(created->image.lifecycle_state, "IMPORTING");
  Percent sink;
  {
    ProgressTask task(sink, "Importing", 100);
    auto done = compute->wait_work_request(
      created->work_request_id, quick(std::chrono::milliseconds(40), std::chrono::seconds(20)), &task);
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_EQ(done->status, "SUCCEEDED");
    task.succeed();
  }
  EXPECT_EQ(sink.seen.back(), 100u);
  EXPECT_GT(sink.seen.size(), 3u); // it moved through intermediate percentages
  auto img = compute->get_image(created->image.id);
  ASSERT_TRUE(img);
  EXPECT_EQ(img->lifecycle_state, "AVAILABLE");
  EXPECT_EQ(img->freeform_tags.at(k_tag_kubernetes), "1.33");
  const auto info = server->images().front();
  EXPECT_EQ(info.source_image_type, "QCOW2");
  EXPECT_EQ(info.launch_mode, "PARAVIRTUALIZED");
}

TEST_F(ComputeTest, RetryTokenMakesCreateIdempotent)
{
  put("disk.qcow2", std::string("QFI\xfb\0\0\0\3", 8));
  auto r = request("disk.qcow2");
  r.retry_token = "token-1";
  auto a = compute->create_image(r);
  auto b = compute->create_image(r);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->image.id, b->image.id);
  EXPECT_EQ(server->images().size(), 1u);
}

TEST_F(ComputeTest, FailedImportReportsOciErrors)
{
  put("not-an-image", "hello world, not a disk");
  auto created = compute->create_image(request("not-an-image"));
  ASSERT_TRUE(created);
  auto done = compute->wait_work_request(
    created->work_request_id, quick(std::chrono::milliseconds(40), std::chrono::seconds(20)), nullptr);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().message(),
            "work request " + created->work_request_id +
              " failed: ImageImportFailed: the image is not in QCOW2 format");
}

// An import that does not finish while a test runs; waits on it use a fake
// clock, so what they see does not depend on the machine's speed.
class ComputeStuckImportTest : public ComputeTest
{
protected:
  ::ocne::test::oci::ServerOptions
  server_options() const override
  {
    auto so = ComputeTest::server_options();
    so.import_duration = std::chrono::hours(1);
    return so;
  }
  ::ocne::test::FakeClock clock;
};

TEST_F(ComputeStuckImportTest, WaitTimesOutPollingEverLessOften)
{
  put("disk.qcow2", std::string("QFI\xfb\0\0\0\3", 8));
  auto created = compute->create_image(request("disk.qcow2"));
  ASSERT_TRUE(created);
  WaitOptions w;
  w.initial_poll = std::chrono::seconds(1);
  w.poll = std::chrono::seconds(10);
  w.timeout = std::chrono::minutes(1);
  w.clock = &clock;
  auto done = compute->wait_work_request(created->work_request_id, w, nullptr);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind(), ErrorKind::timeout);
  EXPECT_TRUE(str::starts_with(done.error().message(), "work request " + created->work_request_id + " is still "))
    << done.error().message();
  EXPECT_TRUE(str::ends_with(done.error().message(), " after 60 s")) << done.error().message();
  using s = std::chrono::seconds;
  EXPECT_EQ(clock.sleeps(),
            (std::vector<std::chrono::milliseconds>{ s(1), s(2), s(4), s(8), s(10), s(10), s(10), s(10), s(5) }));

  ::ocne::test::FakeClock other;
  auto image_wait = quick(std::chrono::seconds(2), std::chrono::seconds(5));
  image_wait.clock = &other;
  auto image = compute->wait_image_available(created->image.id, image_wait);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error(), Error(ErrorKind::timeout, "image " + created->image.id + " is still IMPORTING"));
  EXPECT_EQ(other.slept(), std::chrono::seconds(5));
}

TEST_F(ComputeTest, FindImageTakesTheNewestMatchAcrossPages)
{
  const auto now = std::chrono::system_clock::now();
  const std::map<std::string, std::string> amd = { { k_tag_kubernetes, "1.33" }, { k_tag_architecture, "amd64" } };
  server->add_image(compartment, "ock", amd, now - std::chrono::hours(5));
  const auto newest = server->add_image(compartment, "ock", amd, now - std::chrono::hours(1));
  server->add_image(compartment, "ock", amd, now - std::chrono::hours(3));
  server->add_image(compartment, "ock", amd, now, "DISABLED");
  server->add_image(compartment, "ock", { { k_tag_kubernetes, "1.32" }, { k_tag_architecture, "amd64" } }, now);
  server->add_image(compartment, "ock", { { k_tag_kubernetes, "1.33" }, { k_tag_architecture, "arm64" } }, now);
  server->add_image(compartment, "other", amd, now);
  server->add_image(tenancy(), "ock", amd, now);

  auto found = compute->find_image(compartment, "ock", "1.33", "amd64");
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->id, newest);
  EXPECT_EQ(server->count("ListImages"), 3); // pages of two over six images named ock
  auto none = compute->find_image(compartment, "ock", "1.34", "amd64");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(ComputeTest, FindImagePrefersAvailableOverImporting)
{
  const auto now = std::chrono::system_clock::now();
  const std::map<std::string, std::string> arm = { { k_tag_kubernetes, "1.33" }, { k_tag_architecture, "arm64" } };
  const auto importing = server->add_image(compartment, "ock", arm, now, "IMPORTING");
  auto found = compute->find_image(compartment, "ock", "1.33", "arm64");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, importing);
  const auto available = server->add_image(compartment, "ock", arm, now - std::chrono::hours(1));
  found = compute->find_image(compartment, "ock", "1.33", "arm64");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, available);
}

TEST_F(ComputeTest, UefiSchemaAndArmShapesAreIdempotent)
{
  const auto id = server->add_image(compartment, "ock", {}, std::chrono::system_clock::now());
  ASSERT_TRUE(compute->ensure_image_details(compartment, id, "arm64"));
  ASSERT_TRUE(compute->ensure_image_details(compartment, id, "arm64"));
  EXPECT_EQ(server->count("CreateComputeImageCapabilitySchema"), 1);
  const auto info = server->images().front();
  const auto schema = nlohmann::json::parse(info.capability_schema_json);
  EXPECT_EQ(schema["Compute.Firmware"]["defaultValue"], "UEFI_64");
  EXPECT_EQ(schema["Compute.Firmware"]["source"], "IMAGE");
  EXPECT_EQ(schema["Compute.LaunchMode"]["values"], nlohmann::json::array({ "PARAVIRTUALIZED" }));
  auto shapes = info.shapes;
  std::sort(shapes.begin(), shapes.end());
  EXPECT_EQ(shapes, (std::vector<std::string>{ "BM.Standard.A1.160", "VM.Standard.A1.Flex", "VM.Standard.A2.Flex" }));

  const auto amd = server->add_image(compartment, "ock2", {}, std::chrono::system_clock::now());
  ASSERT_TRUE(compute->ensure_image_details(compartment, amd, "amd64"));
  for (const auto& img : server->images()) {
    if (img.id == amd) {
      EXPECT_EQ(img.shapes, (std::vector<std::string>{ "VM.Standard.E4.Flex", "VM.Standard.E5.Flex" }));
      EXPECT_FALSE(img.capability_schema_json.empty());
    }
  }
}

TEST(ShapeTest, ArchitectureFromShape)
{
  EXPECT_EQ(architecture_for_shape("VM.Standard.A1.Flex"), "arm64");
  EXPECT_EQ(architecture_for_shape("BM.Standard.A1.160"), "arm64");
  EXPECT_EQ(architecture_for_shape("VM.Standard.E4.Flex"), "amd64");
}

} // namespace
} // namespace ocne::oci
