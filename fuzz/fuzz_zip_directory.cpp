// libFuzzer target: any bytes as the end of a remote zip, read as update reads a wheel by
// ranges: its end record, the central directory from a tail that may start mid-entry, and the
// METADATA member (stored or inflated, within its limit). Never a crash or an overlong read.
// fuzz-link: cudafit_update
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "update/remote_zip.h"

namespace {

class Bytes final : public cudafit::ByteRanges {
 public:
  explicit Bytes(std::string_view d) : d_(d) {}
  cudafit::Result<std::string> read(std::uint64_t offset, std::uint64_t length) override {
    if (offset > d_.size() || length > d_.size() - offset)
      return cudafit::make_error("past the end");
    return std::string(d_.substr(offset, length));
  }
  cudafit::Result<std::string> read_tail(std::uint64_t length) override {
    std::uint64_t n = std::min<std::uint64_t>(length, d_.size());
    return std::string(d_.substr(d_.size() - n));
  }
  std::uint64_t size() const override { return d_.size(); }

 private:
  std::string_view d_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Bytes file(bytes);
  cudafit::ZipLimits limits;
  limits.first_tail = 512;  // small tails: the directory is read in several steps
  limits.max_member = 1u << 16;
  auto m = cudafit::find_remote_member(
      file, [](std::string_view n) { return n.ends_with("METADATA"); }, limits);
  if (m) (void)cudafit::read_remote_member(file, *m, limits);
  auto all = cudafit::list_remote_zip(file, limits);
  if (all && !all->empty())
    (void)cudafit::stream_remote_member(file, all->front(), 64, [](std::string_view) {});
  return 0;
}
