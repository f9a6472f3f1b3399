#pragma once

// The files of an image layout or a docker-archive, kept either in a
// directory or in a tar file. Small files (the JSON ones) are read whole;
// big ones (layers) are streamed.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/image/byte_source.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ocne::image {

inline constexpr std::uint64_t k_max_small_file = 4 << 20;

class LayoutStorage
{
public:
  virtual ~LayoutStorage() = default;
  // A file of at most k_max_small_file bytes ("index.json"); not_found when absent.
  virtual Result<std::string> read_small(const std::string& path) = 0;
  // The size of a file; not_found when absent.
  virtual Result<std::uint64_t> size(const std::string& path) = 0;
  // Streams a file's bytes to consume.
  virtual Status read_file(const std::string& path, const std::function<Status(ByteSource&)>& consume) = 0;
};

std::unique_ptr<LayoutStorage> dir_storage(fs::Path dir);
// Reads the tar once to index it and keep its small files.
Result<std::unique_ptr<LayoutStorage>> tar_storage(const fs::Path& file);

} // namespace ocne::image

namespace ocne::image {

class ImageSource;

// Sources over a storage (image_source.hpp has the public constructors).
std::unique_ptr<ImageSource> make_oci_layout_source(std::unique_ptr<LayoutStorage> storage,
                                                    std::string name,
                                                    std::string tag);
std::unique_ptr<ImageSource> make_docker_archive_source(std::unique_ptr<LayoutStorage> storage,
                                                        std::string name,
                                                        std::string ref);

} // namespace ocne::image
