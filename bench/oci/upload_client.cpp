// The benchmark's upload client: pkg/oci's upload_file, nothing else, so the
// parent can measure its time and peak RSS alone.
//
//   ocne-oci-bench-client URL TENANCY USER FINGERPRINT KEY_FILE FILE OBJECT PART_MIB PARALLEL

#include "pkg/core/fs.hpp"
#include "pkg/oci/upload.hpp"

#include <cstdio>
#include <cstdlib>

int
main(int argc, char** argv)
{
  using namespace ocne;
  if (argc != 10) {
    std::fprintf(stderr, "usage: %s URL TENANCY USER FINGERPRINT KEY_FILE FILE OBJECT PART_MIB PARALLEL\n", argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  auto key = fs::read_file(argv[5]);
  if (!key) {
    std::fprintf(stderr, "%s\n", key.error().message().c_str());
    return 1;
  }
  auto signer = oci::Signer::from_api_key(Secret(*key), Secret(), { argv[2], argv[3], argv[4] }, argv[5]);
  if (!signer) {
    std::fprintf(stderr, "%s\n", signer.error().message().c_str());
    return 1;
  }
  const oci::Client client(*signer, oci::Endpoints{ url, url, url });
  const oci::ObjectStorage storage(client);
  oci::UploadOptions o;
  o.namespace_name = "ocnetestns";
  o.bucket = "bench";
  o.object_name = argv[7];
  o.file = argv[6];
  o.part_size = std::strtoull(argv[8], nullptr, 10) * oci::k_mib;
  o.parallelism = std::atoi(argv[9]);
  o.reuse_existing_object = false;
  auto r = oci::upload_file(storage, o, null_progress());
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message().c_str());
    return 1;
  }
  std::printf("%s %d\n", r->md5.c_str(), r->parts_total);
  return 0;
}
