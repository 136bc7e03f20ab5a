// Loading: `--data DIR` equals the embedded copy; broken copies give "file:line" errors.
// The fixtures are temporary directories written with std::filesystem (test set-up only).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kb/kb.h"
#include "util/host.h"

namespace cudafit {
namespace {

namespace fs = std::filesystem;

const std::string kDataDir = std::string(CUDAFIT_SOURCE_DIR) + "/data";

std::string describe(const KnowledgeBase& k) {
  std::ostringstream o;
  for (const auto& r : k.cuda_releases())
    o << r.version.str() << r.label << r.date
      << (r.linux_min_driver ? r.linux_min_driver->str() : "-")
      << (r.windows_min_driver ? r.windows_min_driver->str() : "-") << r.ptx_isa << r.min_sm.str()
      << r.max_sm.str() << r.from.where() << r.from.source << "\n";
  for (const auto& m : k.minor_compat())
    o << m.cuda_major << m.linux_floor.str() << m.from.where() << "\n";
  for (const auto& f : k.forward_compat()) o << f.cuda.str() << f.driver_branch << f.status << "\n";
  for (const auto& a : k.gpu_archs()) o << a.chip << a.cc.str() << a.from.where() << "\n";
  for (const auto& g : k.gpu_products())
    o << g.name << g.cc.str() << g.pci_device_ids.size() << "\n";
  for (const auto& p : k.pci_devices())
    o << p.device_id << p.chip << (p.cc ? p.cc->str() : "-") << "\n";
  for (const auto& b : k.driver_branches()) o << b.branch << b.designation << "\n";
  for (const auto& t : k.torch_releases())
    o << t.version.str() << t.date << t.pythons.size() << t.pypi_default_variant << t.from.where()
      << "\n";
  for (const auto& v : k.torch_variants())
    o << v.torch.str() << v.variant << (v.cuda ? v.cuda->str() : "-") << v.index_url << v.status
      << (v.cudnn ? v.cudnn->str() : "-") << v.nccl << v.platforms.size() << v.from.where() << "\n";
  for (const auto& a : k.torch_arch_lists())
    o << a.variant << a.sass.size() << a.ptx.size() << "\n";
  for (const auto& f : k.frameworks()) o << f.framework << f.version << f.cuda << "\n";
  for (const auto& c : k.cudnn_support()) o << c.cudnn << c.cuda_major << "\n";
  for (const auto& w : k.torch_wheel_sets())
    o << w.torch.str() << w.index << to_string(w.platform) << w.pythons.size()
      << to_string(w.evidence) << w.from.where() << "\n";
  for (const auto& c : k.companion_releases())
    o << c.package << c.version.str() << c.torch_requirement << c.from.where() << "\n";
  for (const auto& f : k.driver_first_releases()) o << f.branch << f.version.str() << "\n";
  return o.str();
}

class TempDir {
 public:
  TempDir() {
    path_ =
        fs::temp_directory_path() /
        ("cudafit-kb-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Copies data/ and replaces line `line` (1-based) of `file` with `text`.
void corrupt_copy(const fs::path& to, const std::string& file, int line, const std::string& text) {
  for (const auto& e : fs::directory_iterator(kDataDir))
    fs::copy_file(e.path(), to / e.path().filename());
  RootedHost host("/", std::map<std::string, std::string>{});
  const Host& h = host;
  std::string content = h.read_file((to / file).string()).value();
  std::istringstream in(content);
  std::ostringstream out;
  std::string l;
  for (int n = 1; std::getline(in, l); ++n) out << (n == line ? text : l) << "\n";
  std::ofstream(to / file, std::ios::trunc) << out.str();
}

TEST(KbLoad, DataDirEqualsEmbeddedCopy) {
  auto from_dir = KnowledgeBase::load_dir(kDataDir);
  ASSERT_TRUE(from_dir.ok()) << from_dir.error();
  auto embedded = KnowledgeBase::embedded();
  ASSERT_TRUE(embedded.ok());
  EXPECT_EQ(describe(**from_dir), describe(**embedded));
  EXPECT_GT(describe(**embedded).size(), 10000u);
}

// The embedded pci-ids.csv is bisected by device id; a --data copy is free to list its rows
// in any order and must answer alike.
TEST(KbLoad, DataDirPciIdsInAnyOrder) {
  TempDir dir;
  for (const auto& e : fs::directory_iterator(kDataDir))
    fs::copy_file(e.path(), dir.path() / e.path().filename());
  std::ifstream in(dir.path() / "pci-ids.csv");
  std::vector<std::string> head, rows;
  for (std::string l; std::getline(in, l);)
    (head.empty() || head.back().rfind("device_id", 0) != 0 ? head : rows).push_back(l);
  in.close();
  ASSERT_GT(rows.size(), 1000u);
  std::ofstream out(dir.path() / "pci-ids.csv", std::ios::trunc);
  for (const auto& l : head) out << l << "\n";
  for (auto r = rows.rbegin(); r != rows.rend(); ++r) out << *r << "\n";
  out.close();
  auto k = KnowledgeBase::load_dir(dir.path().string());
  ASSERT_TRUE(k.ok()) << k.error();
  auto embedded = KnowledgeBase::embedded_fresh();
  for (const auto& d : embedded->pci_devices()) {
    const PciDevice* q = (*k)->pci_device(d.device_id);
    ASSERT_NE(q, nullptr) << std::hex << d.device_id;
    EXPECT_EQ(q->name, d.name);
  }
  EXPECT_EQ((*k)->pci_device(0xffff), nullptr);
}

TEST(KbLoad, RelativeDataDirWorks) {
  auto here = fs::current_path();
  fs::current_path(CUDAFIT_SOURCE_DIR);
  auto k = KnowledgeBase::load_dir("data");
  fs::current_path(here);
  ASSERT_TRUE(k.ok()) << k.error();
}

TEST(KbLoad, MissingDirectoryOrFileIsAnError) {
  auto k = KnowledgeBase::load_dir("/nonexistent/cudafit-data");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.error().find("/nonexistent/cudafit-data/"), std::string::npos) << k.error();

  TempDir dir;
  for (const auto& e : fs::directory_iterator(kDataDir))
    fs::copy_file(e.path(), dir.path() / e.path().filename());
  fs::remove(dir.path() / "gpus.csv");
  auto m = KnowledgeBase::load_dir(dir.path().string());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().find("gpus.csv"), std::string::npos) << m.error();
}

TEST(KbLoad, CorruptedRowsNameFileAndLine) {
  // Line numbers count the comment lines above the header.
  const struct {
    const char* file;
    int line;
    const char* text;
    const char* want;  // expected in the error
  } cases[] = {
      {"cuda.csv", 6, "12.4.0,GA,2024-03,550.x.14,551.61,8.4,5.0,9.0,src,",
       "cuda.csv:6: linux_min_driver"},
      {"cuda.csv", 6, "12.4.0,GA,2024-03", "cuda.csv:6: expected"},
      {"cuda.csv", 6, "banana,GA,,,,,5.0,9.0,src,", "cuda.csv:6: toolkit"},
      {"cuda.csv", 6, "\"unterminated", "cuda.csv"},
      {"torch-variants.csv", 9, "2.3.0,cu121,12.1,,u,stable,8.9.2.26,,mars-x86,src,",
       "torch-variants.csv:9: platforms"},
      {"torch-variants.csv", 9, "2.3..0,cu121,12.1,,u,stable,,,,src,",
       "torch-variants.csv:9: torch"},
      {"gpus.csv", 8, "GeForce X,GA102,8.6,zz99,no,src,", "gpus.csv:8: pci_device_ids"},
      {"gpus.csv", 8, "GeForce X,GA102,8.6,2204,maybe,src,", "gpus.csv:8: datacenter"},
      {"pci-ids.csv", 10, "12345,x,y,gpu,,,src", "pci-ids.csv:10: device_id"},
      {"torch-arch-lists.csv", 5, "1.0.0,1.0.0,cu80,linux-x86_64,3.5 sm_9q,,src,",
       "torch-arch-lists.csv:5: sass"},
      {"cuda-forward-compat.csv", 6, "13.4,535,perhaps,src,", "cuda-forward-compat.csv:6: status"},
      {"cuda.csv", 4, "version,label", "cuda.csv:5: expected 2 fields"},
      {"cuda.csv", 4,
       "version,label,date,linux_min_driver,windows_min_driver,ptx_isa,min_sm,max_sm,source,notes",
       "cuda.csv: header: missing column 'toolkit'"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    corrupt_copy(dir.path(), c.file, c.line, c.text);
    auto k = KnowledgeBase::load_dir(dir.path().string());
    ASSERT_FALSE(k.ok()) << c.file << ":" << c.line;
    EXPECT_NE(k.error().find(c.want), std::string::npos) << k.error();
    EXPECT_EQ(k.error().find('\n'), std::string::npos) << "one line: " << k.error();
  }
}

}  // namespace
}  // namespace cudafit
