// POSIX file writing for update: every write is a new file renamed into place.
#include "update/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/host.h"

namespace cudafit {

namespace {

std::string why(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

Status make_dirs(const std::string& path) {
  if (path.empty()) return make_error("no folder given");
  std::string at;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    at = path.substr(0, i);
    if (at.empty()) continue;
    if (mkdir(at.c_str(), 0755) != 0 && errno != EEXIST) return make_error(why("mkdir " + at));
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error(path + ": not a folder");
  return Status::success();
}

void sync_dir(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

Status write_file_atomic(const std::string& path, std::string_view content) {
  std::string dir = path_dirname(path);
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(why("create " + tmp));
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = make_error(why("write " + tmp));
      close(fd);
      unlink(tmp.c_str());
      return s;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    Status s = make_error(why("write " + tmp));
    unlink(tmp.c_str());
    return s;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = make_error(why("rename " + tmp + " to " + path));
    unlink(tmp.c_str());
    return s;
  }
  sync_dir(dir);
  return Status::success();
}

Status remove_tree(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return Status::success();
  if (S_ISDIR(st.st_mode)) {
    DIR* d = opendir(path.c_str());
    if (d == nullptr) return make_error(why("open " + path));
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    for (const auto& n : names) {
      Status s = remove_tree(path_join(path, n));
      if (!s) return s;
    }
    if (rmdir(path.c_str()) != 0) return make_error(why("rmdir " + path));
  } else if (unlink(path.c_str()) != 0) {
    return make_error(why("unlink " + path));
  }
  return Status::success();
}

Status swap_link(const std::string& link, const std::string& target) {
  std::string tmp = link + ".tmp." + std::to_string(getpid());
  unlink(tmp.c_str());
  if (symlink(target.c_str(), tmp.c_str()) != 0) return make_error(why("symlink " + tmp));
  if (rename(tmp.c_str(), link.c_str()) != 0) {
    Status s = make_error(why("rename " + tmp + " to " + link));
    unlink(tmp.c_str());
    return s;
  }
  sync_dir(path_dirname(link));
  return Status::success();
}

}  // namespace cudafit
