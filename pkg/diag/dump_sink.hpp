#pragma once

// Where a dump goes: a folder (files 0600, folders 0700) or a gzip'd tar
// archive (entries with relative paths, files 0600, folders 0700) written
// to a temporary file beside the target and renamed over it only when
// complete, so an interrupted dump leaves no archive.

#include "pkg/core/error.hpp"
#include "pkg/core/fs.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace ocne::diag {

class DumpSink
{
public:
  virtual ~DumpSink() = default;
  // relative: "cluster/namespaces/default/pods.yaml" (no "..", not absolute).
  virtual Status put(const std::string& relative, std::string_view content) = 0;
  // Makes the dump visible (the archive's rename); nothing before counts.
  virtual Status finish() = 0;
  // Where it goes, for messages.
  virtual std::string where() const = 0;
};

// The folder is created (0700) when missing and must be empty otherwise.
Result<std::unique_ptr<DumpSink>> folder_sink(const fs::Path& folder);
// The name must end in .tgz or .tar.gz.
Result<std::unique_ptr<DumpSink>> archive_sink(const fs::Path& file);

// Checks a relative dump path: no absolute path, no "..", no empty part.
Status check_relative(const std::string& relative);

} // namespace ocne::diag
