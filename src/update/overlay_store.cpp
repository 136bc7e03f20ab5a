// Overlay generations and the link that names the current one.
#include "update/overlay_store.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <vector>

#include "kb/overlay.h"
#include "update/files.h"
#include "util/host.h"
#include "util/strings.h"

namespace cudafit {

Status write_overlay_generation(const std::string& overlay_dir,
                                const std::map<std::string, std::string, std::less<>>& files,
                                const std::string& manifest) {
  const std::string parent = path_dirname(overlay_dir);
  const std::string link_name = path_basename(overlay_dir);
  if (Status s = make_dirs(parent); !s) return s;
  struct stat st {};
  if (lstat(overlay_dir.c_str(), &st) == 0 && !S_ISLNK(st.st_mode))
    return make_error(overlay_dir +
                      " is not the link `cudafit update` keeps there (left alone: "
                      "move it away to let update write)");
  // A name no other generation has: the time to the nanosecond, and the process.
  char stamp[32];
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() %
      1000000000;
  const std::string generation =
      link_name + "." + stamp + "." + std::to_string(nanos) + "Z." + std::to_string(getpid());
  const std::string gen_dir = path_join(parent, generation);
  const std::string tmp_dir = gen_dir + ".tmp";
  (void)remove_tree(tmp_dir);
  if (Status s = make_dirs(tmp_dir); !s) return s;
  auto fail = [&](const Status& s) {
    (void)remove_tree(tmp_dir);
    return s;
  };
  for (const auto& [name, text] : files)
    if (Status s = write_file_atomic(path_join(tmp_dir, name), text); !s) return fail(s);
  // The manifest last: a generation without one is never read.
  if (Status s = write_file_atomic(path_join(tmp_dir, kOverlayManifestFile), manifest); !s)
    return fail(s);
  sync_dir(tmp_dir);
  if (rename(tmp_dir.c_str(), gen_dir.c_str()) != 0)
    return fail(make_error("rename " + tmp_dir + ": " + std::strerror(errno)));
  sync_dir(parent);
  if (Status s = swap_link(overlay_dir, generation); !s) {
    (void)remove_tree(gen_dir);
    return s;
  }
  // Earlier generations (and what an interrupted update left) are not read any more.
  if (DIR* d = opendir(parent.c_str())) {
    std::vector<std::string> stale;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != generation && starts_with(n, link_name + ".")) stale.push_back(n);
    }
    closedir(d);
    for (const auto& n : stale) (void)remove_tree(path_join(parent, n));
  }
  return Status::success();
}

}  // namespace cudafit
