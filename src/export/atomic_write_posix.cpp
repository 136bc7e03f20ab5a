#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "export/atomic_write.h"
#include "util/host.h"

namespace cudafit {

Status write_file_atomically(const std::string& path, std::string_view text) {
  if (path.empty() || path.back() == '/') return make_error("--output: not a file name: " + path);
  const std::string dir = path_dirname(path);
  std::string temp = (dir == "/" ? std::string() : dir) + "/." + path_basename(path) + ".XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) return make_error(path + ": cannot create a file in " + dir + ": " + strerror(errno));
  auto fail = [&](const char* what) {
    const std::string why = strerror(errno);
    close(fd);
    unlink(temp.c_str());
    return Status(make_error(path + ": " + what + ": " + why));
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write failed");
    done += static_cast<std::size_t>(n);
  }
  if (fchmod(fd, 0644) != 0) return fail("chmod failed");
  if (fsync(fd) != 0) return fail("fsync failed");
  if (close(fd) != 0) {
    const std::string why = strerror(errno);
    unlink(temp.c_str());
    return make_error(path + ": close failed: " + why);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = strerror(errno);
    unlink(temp.c_str());
    return make_error(path + ": rename failed: " + why);
  }
  return Status::success();
}

}  // namespace cudafit
