#include "capture_tree.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace cudafit::testing {

namespace fs = std::filesystem;

namespace {

// A regular file is a flattened link when its whole content is one path-like line that
// names something in the tree (relative to its folder, or absolute within the root), or
// climbs with "../" (sysfs `driver` links whose targets were not captured).
bool flattened_link(const fs::path& root, const fs::path& file, std::string& target) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (ec || size == 0 || size > 512) return false;
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  target = ss.str();
  for (char c : target) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '.' || c == '_' || c == '-' || c == '+' || c == ':';
    if (!ok) return false;
  }
  if (target.rfind("../", 0) == 0) return true;
  fs::path resolved = target.front() == '/' ? root / target.substr(1) : file.parent_path() / target;
  return fs::exists(fs::symlink_status(resolved, ec)) && resolved != file;
}

}  // namespace

std::string materialize(const std::string& src, const std::string& dst) {
  std::error_code ec;
  fs::remove_all(dst, ec);
  fs::create_directories(dst, ec);
  if (ec) return dst + ": " + ec.message();
  fs::path root(src);
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::path rel = fs::relative(it->path(), root, ec);
    fs::path out = fs::path(dst) / rel;
    std::string target;
    if (it->is_symlink()) {
      fs::copy_symlink(it->path(), out, ec);
    } else if (it->is_directory()) {
      fs::create_directories(out, ec);
    } else if (flattened_link(root, it->path(), target)) {
      fs::create_symlink(target, out, ec);
    } else {
      fs::copy_file(it->path(), out, ec);
      if (!ec)
        fs::permissions(out, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add,
                        ec);
    }
    if (ec) return out.string() + ": " + ec.message();
  }
  return ec ? src + ": " + ec.message() : std::string();
}

}  // namespace cudafit::testing
