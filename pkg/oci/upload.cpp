#include "pkg/oci/upload.hpp"

#include "pkg/core/clock.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/interrupt.hpp"
#include "pkg/core/log.hpp"
#include "pkg/core/strings.hpp"
#include "pkg/oci/json_util.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <mutex>
#include <thread>

namespace ocne::oci {

using detail::json;

namespace {

constexpr const char* k_meta_part_size = "opc-meta-ocne-part-size";
constexpr const char* k_meta_file_size = "opc-meta-ocne-file-size";

std::string
human_size(std::uint64_t bytes)
{
  if (bytes >= (1ULL << 30)) {
    return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / static_cast<double>(1ULL << 30));
  }
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / static_cast<double>(k_mib));
}

std::vector<FileRange>
plan_parts(const std::string& path, std::uint64_t size, std::uint64_t part_size)
{
  std::vector<FileRange> out;
  for (std::uint64_t off = 0; off < size; off += part_size) {
    out.push_back({ path, off, std::min(part_size, size - off) });
  }
  return out;
}

// Runs fn(i) for i in [0, count) on up to `parallelism` threads. The first
// error stops the rest (through `stop`) and is returned.
Status
parallel_for(std::size_t count, int parallelism, std::atomic<bool>& stop, const std::function<Status(std::size_t)>& fn)
{
  std::atomic<std::size_t> next{ 0 };
  std::mutex mutex;
  std::optional<Error> first;
  const auto worker = [&] {
    for (std::size_t i = next++; i < count && !stop.load(); i = next++) {
      auto s = fn(i);
      if (!s) {
        const std::lock_guard lock(mutex);
        if (!first) {
          first = s.error();
        }
        stop = true;
      }
    }
  };
  const auto n =
    std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, parallelism)), 1, std::max<std::size_t>(count, 1));
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < n; ++t) {
    threads.emplace_back(worker);
  }
  worker();
  for (auto& t : threads) {
    t.join();
  }
  if (first) {
    return tl::unexpected<Error>(*first);
  }
  return {};
}

Result<std::vector<Md5Digest>>
hash_parts(const std::vector<FileRange>& parts, int parallelism)
{
  std::vector<Md5Digest> out(parts.size());
  std::atomic<bool> stop{ false };
  OCNE_TRY(parallel_for(parts.size(), parallelism, stop, [&](std::size_t i) -> Status {
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "interrupted");
    }
    OCNE_TRY_ASSIGN(out[i], md5_file_range(parts[i].path, parts[i].offset, parts[i].length));
    return {};
  }));
  return out;
}

// A pause before another round, cut short by Ctrl-C or another part's failure.
void
retry_pause(std::chrono::milliseconds d, const std::atomic<bool>& stop)
{
  sleep_for(real_clock(), d, { .stop = &stop });
}

// A note in OCNE_HOME of the multipart upload in progress for one object, so
// a resumed run knows the part size it used. The service stays the truth.
struct Record
{
  std::string upload_id;
  std::uint64_t part_size = 0;
  std::uint64_t file_size = 0;
};

std::string
object_key(const UploadOptions& o)
{
  const auto d = md5(o.namespace_name + "/" + o.bucket + "/" + o.object_name);
  return str::replace_all(hex_colon(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())), ":", "");
}

fs::Path
record_path(const UploadOptions& o)
{
  return o.state_dir / "oci-uploads" / (object_key(o) + ".json");
}

std::optional<Record>
read_record(const UploadOptions& o)
{
  if (o.state_dir.empty()) {
    return std::nullopt;
  }
  auto text = fs::read_file(record_path(o), 1 << 16);
  if (!text) {
    return std::nullopt;
  }
  try {
    const auto j = json::parse(*text);
    return Record{ j.at("uploadId").get<std::string>(),
                   j.at("partSize").get<std::uint64_t>(),
                   j.at("fileSize").get<std::uint64_t>() };
  } catch (const json::exception&) {
    return std::nullopt; // a damaged note is only a lost hint
  }
}

void
write_record(const UploadOptions& o, const Record& r)
{
  if (o.state_dir.empty()) {
    return;
  }
  const json j = { { "namespace", o.namespace_name }, { "bucket", o.bucket },
                   { "object", o.object_name },       { "file", o.file },
                   { "uploadId", r.upload_id },       { "partSize", r.part_size },
                   { "fileSize", r.file_size } };
  auto dir = fs::ensure_dir(record_path(o).parent_path(), fs::k_private_dir);
  auto written = dir ? fs::write_file_atomic(record_path(o), j.dump(2), fs::k_private) : dir;
  if (!written) {
    log::debug("cannot note the upload in progress: {}", written.error().message());
  }
}

void
remove_record(const UploadOptions& o)
{
  if (!o.state_dir.empty()) {
    (void)fs::remove_file(record_path(o));
  }
}

// Whether an existing object already holds exactly this file.
Result<bool>
object_matches(const ObjectHead& head, const UploadOptions& o, std::uint64_t size)
{
  if (head.size != size) {
    return false;
  }
  if (!head.multipart_md5.empty()) {
    const auto it = head.metadata.find(k_meta_part_size);
    if (it == head.metadata.end()) {
      return false; // cannot know how it was split
    }
    const auto part_size = std::strtoull(it->second.c_str(), nullptr, 10);
    if (part_size == 0) {
      return false;
    }
    OCNE_TRY_ASSIGN(const auto md5s, hash_parts(plan_parts(o.file, size, part_size), o.parallelism));
    return multipart_md5(md5s) == head.multipart_md5;
  }
  if (!head.content_md5.empty()) {
    OCNE_TRY_ASSIGN(const auto digest, md5_file_range(o.file, 0, size));
    return md5_base64(digest) == head.content_md5;
  }
  return false;
}

class Uploader
{
public:
  Uploader(const ObjectStorage& storage, const UploadOptions& o, std::uint64_t size, ProgressSink& sink)
    : m_storage(storage),
      m_o(o),
      m_size(size),
      m_task(sink, fmt::format("Uploading {} ({})", o.object_name, human_size(size)), size)
  {
  }

  Result<UploadResult> run();

private:
  Result<UploadResult> single();
  Result<UploadResult> multipart();
  Status send_part(std::size_t i);
  void
  progress(std::int64_t delta)
  {
    const auto done = m_done.fetch_add(delta) + delta;
    m_task.set_done(static_cast<std::uint64_t>(std::max<std::int64_t>(0, done)));
  }
  std::map<std::string, std::string> metadata(std::uint64_t part_size) const;

  const ObjectStorage& m_storage;
  const UploadOptions& m_o;
  std::uint64_t m_size;
  ProgressTask m_task;
  std::atomic<std::int64_t> m_done{ 0 };
  std::atomic<bool> m_stop{ false };

  // Multipart state.
  std::string m_upload_id;
  std::vector<FileRange> m_parts;
  std::map<int, UploadedPart> m_existing;
  std::vector<std::string> m_etags;
  std::vector<Md5Digest> m_md5s;
  std::atomic<int> m_uploaded{ 0 };
  std::atomic<int> m_reused{ 0 };
  std::atomic<std::uint64_t> m_sent{ 0 };
};

std::map<std::string, std::string>
Uploader::metadata(std::uint64_t part_size) const
{
  auto m = m_o.metadata;
  m[k_meta_part_size] = std::to_string(part_size);
  m[k_meta_file_size] = std::to_string(m_size);
  return m;
}

Result<UploadResult>
Uploader::run()
{
  if (m_o.reuse_existing_object) {
    OCNE_TRY_ASSIGN(const auto head, m_storage.head_object(m_o.namespace_name, m_o.bucket, m_o.object_name));
    if (head) {
      OCNE_TRY_ASSIGN(const bool same, object_matches(*head, m_o, m_size));
      if (same) {
        log::info(
          "Object {} in bucket {} already holds {}; not uploading it again", m_o.object_name, m_o.bucket, m_o.file);
        UploadResult r;
        r.reused_object = true;
        r.multipart = !head->multipart_md5.empty();
        r.md5 = r.multipart ? head->multipart_md5 : head->content_md5;
        m_task.set_done(m_size);
        m_task.succeed("already uploaded");
        return r;
      }
    }
  }
  auto result = m_size > m_o.part_size ? multipart() : single();
  if (result) {
    m_task.succeed();
  } else {
    m_task.fail(result.error().message());
  }
  return result;
}

Result<UploadResult>
Uploader::single()
{
  OCNE_TRY_ASSIGN(const auto digest, md5_file_range(m_o.file, 0, m_size));
  const FileRange range{ m_o.file, 0, m_size };
  for (int attempt = 1;; ++attempt) {
    auto put = m_storage.put_object(m_o.namespace_name,
                                    m_o.bucket,
                                    m_o.object_name,
                                    range,
                                    digest,
                                    metadata(m_o.part_size),
                                    StreamHooks{ [this](std::int64_t d) { progress(d); }, &m_stop });
    if (put) {
      UploadResult r;
      r.md5 = md5_base64(put->md5);
      r.bytes_sent = m_size;
      r.parts_total = 1;
      r.parts_uploaded = 1;
      return r;
    }
    const auto kind = put.error().kind();
    if ((kind != ErrorKind::transient && kind != ErrorKind::timeout) || attempt >= m_o.part_attempts) {
      return make_error(put.error());
    }
    log::warn("{}; retrying", put.error().message());
    retry_pause(m_o.part_retry_delay * attempt, m_stop);
  }
}

Status
Uploader::send_part(std::size_t i)
{
  const auto& range = m_parts[i];
  const int number = static_cast<int>(i) + 1;
  if (const auto it = m_existing.find(number); it != m_existing.end() && it->second.size == range.length) {
    OCNE_TRY_ASSIGN(const auto digest, md5_file_range(range.path, range.offset, range.length));
    if (md5_base64(digest) == it->second.md5) {
      m_etags[i] = it->second.etag;
      m_md5s[i] = digest;
      ++m_reused;
      progress(static_cast<std::int64_t>(range.length));
      return {};
    }
    log::info("Part {} of {} differs from the file; uploading it again", number, m_o.object_name);
  }
  for (int attempt = 1;; ++attempt) {
    if (m_stop.load()) {
      return make_error(ErrorKind::cancelled, "stopped");
    }
    auto put = m_storage.upload_part(m_o.namespace_name,
                                     m_o.bucket,
                                     m_o.object_name,
                                     m_upload_id,
                                     number,
                                     range,
                                     StreamHooks{ [this](std::int64_t d) { progress(d); }, &m_stop });
    if (put) {
      m_etags[i] = put->etag;
      m_md5s[i] = put->md5;
      ++m_uploaded;
      m_sent += range.length;
      return {};
    }
    const auto kind = put.error().kind();
    if ((kind != ErrorKind::transient && kind != ErrorKind::timeout) || attempt >= m_o.part_attempts) {
      return make_error(put.error());
    }
    log::warn("{}; retrying", put.error().message());
    retry_pause(m_o.part_retry_delay * attempt, m_stop);
  }
}

Result<UploadResult>
Uploader::multipart()
{
  const auto& ns = m_o.namespace_name;
  UploadResult result;
  result.multipart = true;
  std::uint64_t part_size = effective_part_size(m_size, m_o.part_size);

  // Resume: the newest unfinished upload of this object, if its parts fit.
  OCNE_TRY_ASSIGN(auto uploads, m_storage.list_multipart_uploads(ns, m_o.bucket));
  std::erase_if(uploads, [&](const auto& u) { return u.object != m_o.object_name; });
  std::sort(
    uploads.begin(), uploads.end(), [](const auto& a, const auto& b) { return a.time_created > b.time_created; });
  const auto record = read_record(m_o);
  std::optional<MultipartUpload> resume;
  if (record && record->file_size == m_size) {
    for (const auto& u : uploads) {
      if (u.upload_id == record->upload_id) {
        resume = u;
      }
    }
  }
  if (!resume && !uploads.empty()) {
    resume = uploads.front();
  }
  if (resume) {
    OCNE_TRY_ASSIGN(const auto parts, m_storage.list_parts(ns, m_o.bucket, m_o.object_name, resume->upload_id));
    std::uint64_t resume_part_size = part_size;
    if (record && record->upload_id == resume->upload_id) {
      resume_part_size = record->part_size;
    } else if (!parts.empty()) {
      // Every part but the last has the part size, so the largest one is it.
      resume_part_size = std::max_element(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
                           return a.size < b.size;
                         })->size;
    }
    if (resume_part_size >= k_min_part_size && (m_size + resume_part_size - 1) / resume_part_size <= k_max_parts) {
      part_size = resume_part_size;
      m_upload_id = resume->upload_id;
      for (const auto& p : parts) {
        m_existing[p.number] = p;
      }
      result.resumed = true;
      log::info("Resuming upload {} of {}: {} part(s) already there", m_upload_id, m_o.object_name, parts.size());
    }
  }
  // Every other unfinished upload of this object is a leftover: abort it.
  for (const auto& u : uploads) {
    if (u.upload_id == m_upload_id) {
      continue;
    }
    log::info("Aborting stale multipart upload {} of {}", u.upload_id, m_o.object_name);
    if (auto s = m_storage.abort_multipart_upload(ns, m_o.bucket, m_o.object_name, u.upload_id); !s) {
      log::warn("{}", s.error().message());
    }
  }
  if (m_upload_id.empty()) {
    OCNE_TRY_ASSIGN(const auto created,
                    m_storage.create_multipart_upload(ns, m_o.bucket, m_o.object_name, metadata(part_size)));
    m_upload_id = created.upload_id;
  }
  write_record(m_o, Record{ m_upload_id, part_size, m_size });

  m_parts = plan_parts(m_o.file, m_size, part_size);
  m_etags.assign(m_parts.size(), "");
  m_md5s.assign(m_parts.size(), Md5Digest{});
  result.upload_id = m_upload_id;
  result.part_size = part_size;
  result.parts_total = static_cast<int>(m_parts.size());

  auto sent = parallel_for(m_parts.size(), m_o.parallelism, m_stop, [this](std::size_t i) { return send_part(i); });
  if (sent && interrupted()) {
    sent = make_error(ErrorKind::cancelled, "interrupted");
  }
  if (!sent) {
    if (sent.error().kind() == ErrorKind::cancelled) {
      return make_error(ErrorKind::cancelled,
                        "interrupted; run the same command again to resume the upload (upload id {})",
                        m_upload_id);
    }
    log::info("Aborting multipart upload {} of {}", m_upload_id, m_o.object_name);
    if (auto aborted = m_storage.abort_multipart_upload(ns, m_o.bucket, m_o.object_name, m_upload_id); !aborted) {
      log::warn("{} (the next upload of this object cleans it up)", aborted.error().message());
    } else {
      remove_record(m_o);
    }
    return make_error(sent.error());
  }

  std::vector<std::pair<int, std::string>> commit;
  for (std::size_t i = 0; i < m_parts.size(); ++i) {
    commit.emplace_back(static_cast<int>(i) + 1, m_etags[i]);
  }
  std::vector<int> exclude;
  for (const auto& [num, p] : m_existing) {
    if (num > static_cast<int>(m_parts.size())) {
      exclude.push_back(num);
    }
  }
  const auto expected = multipart_md5(m_md5s);
  auto committed = m_storage.commit_multipart_upload(ns, m_o.bucket, m_o.object_name, m_upload_id, commit, exclude);
  if (!committed) {
    if (committed.error().kind() != ErrorKind::transient && committed.error().kind() != ErrorKind::cancelled) {
      (void)m_storage.abort_multipart_upload(ns, m_o.bucket, m_o.object_name, m_upload_id);
      remove_record(m_o);
    }
    return make_error(committed.error());
  }
  remove_record(m_o);
  if (*committed != expected) {
    (void)m_storage.delete_object(ns, m_o.bucket, m_o.object_name);
    return make_error(ErrorKind::io,
                      "object {} was committed with MD5 {} but the file's parts give {}; the object was deleted",
                      m_o.object_name,
                      committed->empty() ? "(none)" : *committed,
                      expected);
  }
  result.md5 = expected;
  result.parts_uploaded = m_uploaded.load();
  result.parts_reused = m_reused.load();
  result.bytes_sent = m_sent.load();
  return result;
}

} // namespace

std::uint64_t
effective_part_size(std::uint64_t file_size, std::uint64_t requested)
{
  auto size = std::max(requested, k_min_part_size);
  if ((file_size + size - 1) / size > k_max_parts) {
    size = (file_size + k_max_parts - 1) / k_max_parts;
    size = (size + k_mib - 1) / k_mib * k_mib;
  }
  return size;
}

Result<UploadResult>
upload_file(const ObjectStorage& storage, const UploadOptions& options, ProgressSink& progress)
{
  if (options.part_size < k_min_part_size) {
    return make_error(ErrorKind::invalid_input,
                      "part size {} is too small: Object Storage needs at least 10 MiB",
                      human_size(options.part_size));
  }
  if (options.parallelism < 1 || options.parallelism > 128) {
    return make_error(
      ErrorKind::invalid_input, "parallel uploads must be between 1 and 128 (got {})", options.parallelism);
  }
  struct stat st
  {};
  if (::stat(options.file.c_str(), &st) != 0) {
    return make_error(
      errno == ENOENT ? ErrorKind::not_found : ErrorKind::io, "{}: {}", options.file, fs::errno_message(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(ErrorKind::invalid_input, "{}: not a regular file", options.file);
  }
  std::optional<FileLock> lock;
  if (!options.state_dir.empty()) {
    OCNE_TRY(fs::ensure_dir(options.state_dir / "locks", fs::k_private_dir));
    OCNE_TRY_ASSIGN(
      lock,
      FileLock::acquire(options.state_dir / "locks" / ("oci-upload-" + object_key(options) + ".lock"),
                        std::chrono::milliseconds(0),
                        fmt::format("the upload of {} to bucket {}", options.object_name, options.bucket)));
  }
  Uploader uploader(storage, options, static_cast<std::uint64_t>(st.st_size), progress);
  auto result = uploader.run();
  if (!result) {
    return make_error(
      result.error().with_context(fmt::format("upload of {} to bucket {}", options.file, options.bucket)));
  }
  return result;
}

} // namespace ocne::oci
