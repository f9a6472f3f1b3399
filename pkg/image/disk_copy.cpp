#include "pkg/image/disk_copy.hpp"

#include "pkg/core/interrupt.hpp"
#include "pkg/core/process.hpp"
#include "pkg/core/strings.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace ocne::image {

Status
copy_file_into(const fs::Path& from, fs::AtomicFile& out, ProgressTask& task)
{
  const fs::Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) {
    return make_error(ErrorKind::io, "{}: {}", from.string(), fs::errno_message(errno));
  }
  struct stat st
  {};
  if (::fstat(in.get(), &st) != 0) {
    return make_error(ErrorKind::io, "{}: {}", from.string(), fs::errno_message(errno));
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  task.set_total(size);
  std::uint64_t done = 0;
  bool use_range = true;
  std::vector<char> buffer;
  while (done < size) {
    if (interrupted()) {
      return make_error(ErrorKind::cancelled, "copying {}: interrupted", from.string());
    }
    const std::size_t step = static_cast<std::size_t>(std::min<std::uint64_t>(size - done, 64ULL << 20));
    ssize_t n = -1;
    if (use_range) {
      loff_t in_off = static_cast<loff_t>(done);
      loff_t out_off = static_cast<loff_t>(done);
      n = ::copy_file_range(in.get(), &in_off, out.fd(), &out_off, step, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
        use_range = false;
        continue;
      }
    } else {
      buffer.resize(1 << 20);
      n = ::pread(in.get(), buffer.data(), std::min(buffer.size(), step), static_cast<off_t>(done));
      if (n > 0) {
        OCNE_TRY(out.pwrite(std::string_view(buffer.data(), static_cast<std::size_t>(n)), done));
      }
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return make_error(ErrorKind::io, "copying {}: {}", from.string(), fs::errno_message(errno));
    }
    if (n == 0) {
      return make_error(ErrorKind::io, "copying {}: the file shrank while it was copied", from.string());
    }
    done += static_cast<std::uint64_t>(n);
    task.set_done(done);
  }
  return {};
}

Status
convert_to_raw(const fs::Path& qcow2, std::uint64_t virtual_size, fs::AtomicFile& out, ProgressTask& task)
{
  if (!program_exists("qemu-img")) {
    return make_error(ErrorKind::unavailable, "converting to raw needs qemu-img; install qemu-utils");
  }
  task.set_total(virtual_size);
  // qemu-img writes into the temporary file, which already has the final
  // size and holds only zeros (so it can skip them and stay sparse).
  OCNE_TRY(out.truncate(virtual_size));
  ProcessOptions p;
  p.argv = { "qemu-img", "convert", "-p",  "-n",           "--target-is-zero",      "-f",
             "qcow2",    "-O",      "raw", qcow2.string(), out.temp_path().string() };
  std::string pending;
  p.on_stdout = [&](std::string_view chunk) {
    // Progress lines look like "    (12.34/100%)\r".
    pending += chunk;
    for (auto close = pending.find("/100%)"); close != std::string::npos; close = pending.find("/100%)")) {
      const auto open = pending.rfind('(', close);
      if (open != std::string::npos) {
        try {
          const double percent = std::stod(pending.substr(open + 1, close - open - 1));
          task.set_done(static_cast<std::uint64_t>(percent / 100.0 * static_cast<double>(virtual_size)));
        } catch (const std::exception&) {
        }
      }
      pending.erase(0, close + 6);
    }
  };
  OCNE_TRY_ASSIGN(const auto r, run_process(p));
  if (!r.ok()) {
    return make_error(ErrorKind::io,
                      "qemu-img could not convert {} to raw: {}",
                      qcow2.string(),
                      str::trim(r.err.empty() ? r.out : r.err));
  }
  task.set_done(virtual_size);
  return {};
}

} // namespace ocne::image
