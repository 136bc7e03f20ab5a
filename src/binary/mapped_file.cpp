#include "binary/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cudafit {
namespace {

// Largest file read into memory through a Host that has no disk files (tests, fuzzing).
constexpr std::size_t kMaxInMemory = std::size_t{1} << 32;

}  // namespace

Result<std::unique_ptr<MappedFile>> MappedFile::open(const Host& host, std::string_view path) {
  std::unique_ptr<MappedFile> f(new MappedFile());
  std::string disk = host.disk_path(path);
  if (disk.empty()) {
    auto text = host.read_file(path, kMaxInMemory);
    if (!text) return make_error(text.error());
    f->owned_ = std::move(*text);
    f->data_ = f->owned_.data();
    f->size_ = f->owned_.size();
    return f;
  }
  int fd = ::open(disk.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(std::string(path) + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(std::string(path) + ": not a regular file");
  }
  f->size_ = static_cast<std::size_t>(st.st_size);
  if (f->size_ > 0) {
    void* m = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      return make_error(std::string(path) + ": mmap: " + std::strerror(e));
    }
    f->map_ = m;
    f->data_ = static_cast<const char*>(m);
  }
  ::close(fd);
  return f;
}

MappedFile::~MappedFile() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

}  // namespace cudafit
