#include "pkg/qcow2/decompress.hpp"

#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace ocne::qcow2 {

namespace {

struct ZstdDeleter
{
  void
  operator()(ZSTD_DCtx* ctx) const
  {
    ZSTD_freeDCtx(ctx);
  }
};

} // namespace

Status
inflate_cluster(std::span<const char> in, std::span<char> out)
{
  z_stream z{};
  // Negative window bits: a raw deflate stream without zlib header; 15 reads
  // streams written with any smaller window (qemu uses 12).
  if (inflateInit2(&z, -15) != Z_OK) {
    return make_error(ErrorKind::internal, "cannot initialise zlib");
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const auto produced = out.size() - z.avail_out;
  inflateEnd(&z);
  // Success is a full cluster: either the stream ended exactly there, or the
  // output filled up (Z_BUF_ERROR with no room left).
  if (produced == out.size() && (rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK)) {
    return {};
  }
  if (rc == Z_STREAM_END || rc == Z_BUF_ERROR) {
    return make_error(ErrorKind::invalid_input, "compressed data ends after {} of {} bytes", produced, out.size());
  }
  return make_error(ErrorKind::invalid_input, "invalid deflate data ({})", z.msg != nullptr ? z.msg : "zlib error");
}

Status
zstd_cluster(std::span<const char> in, std::span<char> out)
{
  const std::unique_ptr<ZSTD_DCtx, ZstdDeleter> ctx(ZSTD_createDCtx());
  if (!ctx) {
    return make_error(ErrorKind::internal, "cannot create a zstd context");
  }
  ZSTD_inBuffer input{ in.data(), in.size(), 0 };
  ZSTD_outBuffer output{ out.data(), out.size(), 0 };
  while (output.pos < output.size) {
    const std::size_t before_in = input.pos;
    const std::size_t before_out = output.pos;
    const std::size_t rc = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(rc) != 0) {
      return make_error(ErrorKind::invalid_input, "invalid zstd data ({})", ZSTD_getErrorName(rc));
    }
    if (input.pos == before_in && output.pos == before_out) {
      return make_error(ErrorKind::invalid_input, "compressed data ends after {} of {} bytes", output.pos, out.size());
    }
  }
  return {};
}

} // namespace ocne::qcow2
