// `check` judges what pip and uv would really install (issue #19): torch resolved within the
// indexes a file names, by the installer the file belongs to, with the other installer's pick
// and the --extra-index-url trap; the GPU packages beside torch judged from their rows.
// Each row names the data rows its expected answer rests on.
#include <gtest/gtest.h>

#include <ostream>

#include "plan/check.h"
#include "test_kb.h"

namespace cudafit {
namespace {

using testing::facts;
using testing::kb;
using testing::machine;

MemoryHost& files() {
  static MemoryHost h = [] {
    MemoryHost m;
    m.add_file("/p/cu128/requirements.txt",
               "--index-url https://download.pytorch.org/whl/cu128\ntorch\ntorchvision\n");
    m.add_file("/p/extra/requirements.txt",
               "--extra-index-url https://download.pytorch.org/whl/cu128\ntorch\ntorchvision\n");
    m.add_file("/p/uv/pyproject.toml",
               "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10\"\n"
               "dependencies = [\"torch>=2.6\", \"numpy\"]\n"
               "[tool.uv.sources]\ntorch = { index = \"pytorch-cu126\" }\n"
               "[[tool.uv.index]]\nname = \"pytorch-cu126\"\n"
               "url = \"https://download.pytorch.org/whl/cu126\"\nexplicit = true\n");
    m.add_file("/p/docker/Dockerfile",
               "FROM python:3.12-slim\n"
               "RUN pip install torch --index-url https://download.pytorch.org/whl/cu126\n");
    m.add_file("/p/uvdocker/Dockerfile",
               "FROM python:3.12-slim\n"
               "ENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cu128\n"
               "RUN pip install torch && uv pip install --system torch \\\n"
               "    --extra-index-url https://download.pytorch.org/whl/cu128\n");
    m.add_file("/p/stable/requirements.txt",
               "-f https://download.pytorch.org/whl/torch_stable.html\ntorch==1.10.1+cu111\n");
    m.add_file("/p/stable-any/requirements.txt",
               "-f https://download.pytorch.org/whl/torch_stable.html\ntorch==1.10.1\n");
    m.add_file("/p/xformers/requirements.txt", "torch\nxformers==0.0.27\n");
    m.add_file("/p/xformers-clash/requirements.txt", "torch==2.4.0\nxformers==0.0.27\n");
    m.add_file("/p/xformers-only/requirements.txt", "xformers==0.0.27\n");
    m.add_file("/p/noidx/requirements.txt", "--index-url https://mirror.example/simple\ntorch\n");
    return m;
  }();
  return h;
}

struct Case {
  std::string name;
  std::string target;
  std::string driver;
  std::vector<std::string> ccs;
  std::string python;  // "" = unknown
  std::optional<Installer> tool;
  std::string component;  // the torch item
  Verdict verdict;
  int exit_code;
  std::string installer;            // who was judged
  std::vector<std::string> saying;  // substrings of the item's problems/caveats/why/other/fix
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string all_text(const CheckItem& i) {
  std::string s = i.component + "\n" + i.other + "\n" + i.fix + "\n";
  for (const auto* list : {&i.result.why, &i.result.problems, &i.result.caveats})
    for (const auto& l : *list) s += l + "\n";
  return s;
}

class IndexResolution : public ::testing::TestWithParam<Case> {};

TEST_P(IndexResolution, AsTheInstallerWould) {
  const Case& c = GetParam();
  CheckOptions opts;
  opts.tool = c.tool;
  auto r = check_target(kb(), facts(), files(), machine(c.driver, c.ccs, c.python), c.target, opts);
  ASSERT_TRUE(r.ok()) << r.error();
  const CheckItem* torch = nullptr;
  for (const auto& i : r->items)
    if (i.component.rfind("torch ", 0) == 0 || i.component.rfind("torch", 0) == 0) {
      torch = &i;
      break;
    }
  ASSERT_NE(torch, nullptr) << c.name;
  const std::string text = all_text(*torch);
  EXPECT_EQ(torch->component, c.component) << text;
  EXPECT_EQ(to_string(torch->result.verdict), to_string(c.verdict)) << text;
  EXPECT_EQ(r->exit_code(), c.exit_code) << text;
  EXPECT_EQ(torch->installer, c.installer);
  for (const auto& s : c.saying) EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
}

INSTANTIATE_TEST_SUITE_P(
    Issue19, IndexResolution,
    ::testing::Values(
        // --index-url cu128 replaces PyPI: the newest torch that index has is 2.11.0 (2.12.0 on
        // has no cu128 row: torch-variants.csv:242 is the last cu128 one); CUDA 12.8 needs
        // 570.26 (cuda.csv:56); sm_120 SASS in 2.11.0 cu128 (torch-arch-lists.csv:95); cp312
        // wheel (torch-wheels.csv:455). torchvision 0.26.0 requires torch==2.11.0
        // (torch-companion-releases.csv).
        Case{"cu128-index",
             "/p/cu128/requirements.txt",
             "570.86.10",
             {"12.0"},
             "3.12",
             std::nullopt,
             "torch 2.11.0 cu128",
             Verdict::kOk,
             0,
             "pip",
             {"torch-variants.csv:242", "cuda.csv:56", "torch-arch-lists.csv:95"}},
        // The same file with --extra-index-url: pip pools PyPI and the cu128 index and takes
        // the highest version, PyPI's 2.15.0, whose default build is cu132
        // (torch-releases.csv:57, torch-variants.csv:276); CUDA 13.2 needs 595.45.04
        // (cuda.csv:65) and 13.x minor compatibility 580.65.06 (cuda-minor-compat.csv): no on
        // 570, a GeForce (no forward compatibility). uv's first-index stops at the cu128 index.
        Case{"extra-index-pip",
             "/p/extra/requirements.txt",
             "570.86.10",
             {"12.0"},
             "3.12",
             std::nullopt,
             "torch 2.15.0 cu132",
             Verdict::kNo,
             1,
             "pip",
             {"the --extra-index-url trap", "PyPI's torch 2.15.0 (cu132)",
              "uv (first-index) would take torch 2.11.0 cu128", "use --index-url",
              "torch-variants.csv:276", "cuda.csv:65"}},
        Case{"extra-index-uv",
             "/p/extra/requirements.txt",
             "570.86.10",
             {"12.0"},
             "3.12",
             Installer::kUv,
             "torch 2.11.0 cu128",
             Verdict::kOk,
             0,
             "uv (first-index)",
             {"first index that has it", "pip would take torch 2.15.0 cu132 from PyPI: no"}},
        // uv pyproject, torch pinned to an explicit cu126 index, torch>=2.6, requires-python
        // >=3.10 (Python assumed 3.10): the newest cu126 build is 2.14.1 (torch-variants.csv:271;
        // 2.15.0 has no cu126 row); CUDA 12.6 needs 560.28.03 (cuda.csv:52), 535 runs it by
        // 12.x minor compatibility >= 525.60.13 (cuda-minor-compat.csv:5); sm_86 SASS
        // (torch-arch-lists.csv:97). pip ignores [tool.uv]: PyPI's 2.14.1 is cu130 (2.15.0
        // needs Python >= 3.11, torch-wheels.csv:520).
        Case{"uv-pyproject-cu126",
             "/p/uv/pyproject.toml",
             "535.104.05",
             {"8.6"},
             "",
             std::nullopt,
             "torch 2.14.1 cu126",
             Verdict::kOkMinorCompat,
             0,
             "uv (first-index)",
             {"torch-variants.csv:271", "cuda-minor-compat.csv:5", "pinned by [tool.uv.sources]",
              "pip would take torch 2.14.1 cu130 from PyPI"}},
        // A Dockerfile's own --index-url: cu126 again, Python 3.12 from the python:3.12 image.
        Case{"dockerfile-index-url",
             "/p/docker/Dockerfile",
             "535.104.05",
             {"8.6"},
             "3.11",
             std::nullopt,
             "torch 2.14.1 cu126",
             Verdict::kOkMinorCompat,
             0,
             "pip",
             {"torch-variants.csv:271", "Python 3.12"}},
        // ENV PIP_EXTRA_INDEX_URL reaches the `pip install` line: the trap again.
        Case{"dockerfile-env-extra-index",
             "/p/uvdocker/Dockerfile",
             "570.86.10",
             {"12.0"},
             "",
             std::nullopt,
             "torch 2.15.0 cu132",
             Verdict::kNo,
             1,
             "pip",
             {"the --extra-index-url trap"}},
        // -f torch_stable.html (torch-find-links.csv:7 lists 1.2.0 ... 1.11.0) pinning
        // 1.10.1+cu111 (torch-variants.csv:88): CUDA 11.1 needs 455.23 (cuda.csv:17); sm_86 SASS
        // (torch-arch-lists.csv:29); cp39 wheel (torch-wheels.csv:160).
        Case{"find-links-pinned",
             "/p/stable/requirements.txt",
             "470.82.01",
             {"8.6"},
             "3.9",
             std::nullopt,
             "torch 1.10.1 cu111",
             Verdict::kOk,
             0,
             "pip",
             {"torch-variants.csv:88", "torch_stable.html", "cuda.csv:17"}},
        // The same page with torch==1.10.1: a local label sorts above none, and "rocm4.2" above
        // "cu113" (PEP 440 compares local segments as strings): pip takes 1.10.1+rocm4.2, as it
        // took 1.7.1+rocm3.8 from this page in pytorch/pytorch#52571.
        Case{"find-links-local-order",
             "/p/stable-any/requirements.txt",
             "470.82.01",
             {"8.6"},
             "3.9",
             std::nullopt,
             "torch 1.10.1 rocm4.2",
             Verdict::kNo,
             1,
             "pip",
             {"ROCm build"}},
        // xformers 0.0.27 requires torch==2.3.1 (frameworks.csv:81): pip takes torch 2.3.1 from
        // PyPI, its default build cu121 (torch-releases.csv:39, torch-variants.csv:171);
        // CUDA 12.1 needs 530.30.02 (cuda.csv:40).
        Case{"xformers-pins-torch",
             "/p/xformers/requirements.txt",
             "535.104.05",
             {"8.6"},
             "3.11",
             std::nullopt,
             "torch 2.3.1 cu121",
             Verdict::kOk,
             0,
             "pip",
             {"frameworks.csv:81", "torch-variants.csv:171", "cuda.csv:40"}},
        // torch==2.4.0 beside xformers==0.0.27 (torch==2.3.1): nothing satisfies both.
        Case{"xformers-clash",
             "/p/xformers-clash/requirements.txt",
             "535.104.05",
             {"8.6"},
             "3.11",
             std::nullopt,
             "torch==2.4.0",
             Verdict::kNo,
             1,
             "pip",
             {"needs torch==2.3.1 (frameworks.csv:81)"}},
        // No torch line: the torch xformers pulls in is judged.
        Case{"xformers-brings-torch",
             "/p/xformers-only/requirements.txt",
             "535.104.05",
             {"8.6"},
             "3.11",
             std::nullopt,
             "torch 2.3.1 cu121",
             Verdict::kOk,
             0,
             "pip",
             {"frameworks.csv:81"}},
        // An index cudafit does not know: nothing can be said.
        Case{"unknown-index",
             "/p/noidx/requirements.txt",
             "570.86.10",
             {"12.0"},
             "3.12",
             std::nullopt,
             "torch",
             Verdict::kUnknown,
             0,
             "pip",
             {"https://mirror.example/simple is not an index cudafit knows"}}),
    [](const ::testing::TestParamInfo<Case>& i) {
      std::string n = i.param.name;
      for (char& ch : n)
        if (ch == '-') ch = '_';
      return n;
    });

const CheckItem* item_named(const CheckReport& r, const std::string& prefix) {
  for (const auto& i : r.items)
    if (i.component.rfind(prefix, 0) == 0) return &i;
  return nullptr;
}

// Every GPU package beside torch gets its own item; the rest are named in a note.
TEST(CheckPackages, EachGpuPackageJudgedOrSaidNotJudged) {
  MemoryHost h;
  h.add_file("/r/requirements.txt",
             "--index-url https://download.pytorch.org/whl/cu121\n"
             "torch==2.3.1\ntorchvision\ntorchaudio==2.3.1\nxformers==0.0.27\n"
             "flash-attn==2.6.3\nbitsandbytes==0.45.0\ntriton==2.3.1\nvllm==0.5.3\n"
             "deepspeed-cuda-kernels\ncupy-cuda12x\nnumpy\nrequests\n");
  auto r =
      check_target(kb(), facts(), h, machine("535.104.05", {"8.6"}, "3.11"), "/r/requirements.txt");
  ASSERT_TRUE(r.ok()) << r.error();
  // torchvision 0.18.1 requires torch==2.3.1 (torch-companion-releases.csv): the cu121 build.
  const CheckItem* tv = item_named(*r, "torchvision 0.18.1 cu121");
  ASSERT_NE(tv, nullptr);
  EXPECT_EQ(tv->result.verdict, Verdict::kOk);
  ASSERT_NE(item_named(*r, "torchaudio 2.3.1 cu121"), nullptr);
  // xformers 0.0.27: torch==2.3.1, builds cu118 cu121 (frameworks.csv:81).
  const CheckItem* xf = item_named(*r, "xformers 0.0.27");
  ASSERT_NE(xf, nullptr);
  EXPECT_EQ(xf->result.verdict, Verdict::kOk) << all_text(*xf);
  // flash-attn 2.6.3: prebuilt for torch 2.3 with CUDA 12.3.2; min CC 8.0 (frameworks.csv).
  const CheckItem* fa = item_named(*r, "flash-attn 2.6.3");
  ASSERT_NE(fa, nullptr);
  EXPECT_NE(all_text(*fa).find("prebuilt wheels for torch 2.3.1"), std::string::npos)
      << all_text(*fa);
  // bitsandbytes 0.45.0 has 12.0.1-12.6.2 builds: the 12.1 one for torch's CUDA 12.1.
  const CheckItem* bnb = item_named(*r, "bitsandbytes 0.45.0");
  ASSERT_NE(bnb, nullptr);
  EXPECT_NE(all_text(*bnb).find("CUDA 12.1"), std::string::npos) << all_text(*bnb);
  // triton 2.3.1 is the one torch 2.3.1 pins (frameworks.csv triton rows).
  const CheckItem* tr = item_named(*r, "triton 2.3.1");
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->result.verdict, Verdict::kOk) << all_text(*tr);
  // vllm 0.5.3 pins torch 2.3.1 and is built with CUDA 12.1.
  const CheckItem* vl = item_named(*r, "vllm 0.5.3");
  ASSERT_NE(vl, nullptr);
  EXPECT_EQ(vl->result.verdict, Verdict::kOk) << all_text(*vl);
  // No data: said, not dropped.
  const CheckItem* ds = item_named(*r, "deepspeed-cuda-kernels");
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->result.verdict, Verdict::kUnknown);
  EXPECT_NE(all_text(*ds).find("not judged: no data"), std::string::npos);
  // cupy-cuda12x: the name says CUDA 12: 535 is a 12.x driver.
  const CheckItem* cp = item_named(*r, "cupy-cuda12x");
  ASSERT_NE(cp, nullptr);
  EXPECT_TRUE(runs(cp->result.verdict)) << all_text(*cp);
  bool noted = false;
  for (const auto& n : r->notes)
    noted =
        noted || (n.find("numpy") != std::string::npos && n.find("requests") != std::string::npos);
  EXPECT_TRUE(noted);
}

TEST(CheckPackages, FrameworkFailures) {
  MemoryHost h;
  // flash-attn needs CC 8.0 (frameworks.csv "min CC 8.0"); a Turing card is 7.5.
  h.add_file("/r/fa.txt", "torch==2.3.1\nflash-attn==2.6.3\n");
  auto r = check_target(kb(), facts(), h, machine("535.104.05", {"7.5"}, "3.11"), "/r/fa.txt");
  ASSERT_TRUE(r.ok()) << r.error();
  const CheckItem* fa = item_named(*r, "flash-attn 2.6.3");
  ASSERT_NE(fa, nullptr);
  EXPECT_EQ(fa->result.verdict, Verdict::kNo) << all_text(*fa);
  EXPECT_EQ(r->exit_code(), 1);
  // xformers 0.0.24's note "Triton kernels need CC 8.0+" is about part of it: a Turing card
  // still runs it (its torch 2.2.0 cu121 carries sm_75, torch-arch-lists.csv).
  h.add_file("/r/xf24.txt", "xformers==0.0.24\n");
  auto t = check_target(kb(), facts(), h, machine("535.104.05", {"7.5"}, "3.11"), "/r/xf24.txt");
  ASSERT_TRUE(t.ok()) << t.error();
  const CheckItem* xf24 = item_named(*t, "xformers 0.0.24");
  ASSERT_NE(xf24, nullptr);
  EXPECT_TRUE(runs(xf24->result.verdict)) << all_text(*xf24);
  // xformers 0.0.31 carries TORCH_CUDA_ARCH_LIST '7.5 8.0+PTX' (frameworks.csv): a V100 (7.0)
  // has no code in it.
  h.add_file("/r/xf.txt", "xformers==0.0.31\n");
  auto v = check_target(kb(), facts(), h, machine("570.86.10", {"7.0"}, "3.11"), "/r/xf.txt");
  ASSERT_TRUE(v.ok()) << v.error();
  const CheckItem* xf = item_named(*v, "xformers 0.0.31");
  ASSERT_NE(xf, nullptr);
  EXPECT_EQ(xf->result.verdict, Verdict::kNo) << all_text(*xf);
}

// uv's strategies and sources, and pip's find-links, on the same kinds of file.
TEST(CheckUv, StrategiesAndExtras) {
  MemoryHost h;
  h.add_file(
      "/u/pyproject.toml",
      "[project]\nname='a'\nversion='1'\nrequires-python='>=3.11'\n"
      "[project.optional-dependencies]\ncu128=['torch>=2.7']\ncu130=['torch>=2.7']\n"
      "[tool.uv.sources]\ntorch=[{index='c128',extra='cu128'},{index='c130',extra='cu130'}]\n"
      "[[tool.uv.index]]\nname='c128'\nurl='https://download.pytorch.org/whl/cu128'\n"
      "explicit=true\n"
      "[[tool.uv.index]]\nname='c130'\nurl='https://download.pytorch.org/whl/cu130'\n"
      "explicit=true\n");
  auto r = check_target(kb(), facts(), h, machine("580.65.06", {"9.0"}, ""), "/u/pyproject.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->items.size(), 2u);
  // Keys of a TOML table come sorted: cu128 first. cu128's newest: 2.11.0
  // (torch-variants.csv:242); cu130's: 2.14.1.
  EXPECT_EQ(r->items[0].component, "torch 2.11.0 cu128");
  EXPECT_EQ(r->items[1].component, "torch 2.14.1 cu130");
  // --extra-index-url with unsafe-best-match: uv pools like pip.
  h.add_file("/u/extra.txt", "--extra-index-url https://download.pytorch.org/whl/cu128\ntorch\n");
  CheckOptions best;
  best.tool = Installer::kUv;
  best.strategy = IndexStrategy::kUnsafeBestMatch;
  auto b =
      check_target(kb(), facts(), h, machine("570.86.10", {"12.0"}, "3.12"), "/u/extra.txt", best);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->items[0].component, "torch 2.15.0 cu132");
  EXPECT_EQ(b->items[0].installer, "uv (unsafe-best-match)");
  // An extra index whose torch builds all miss the specifier (cu118 ends at 2.7.1,
  // torch-variants.csv): unsafe-first-match goes on to PyPI (2.15.0 cu132,
  // torch-variants.csv:276)...
  h.add_file("/u/stuck.txt",
             "--extra-index-url https://download.pytorch.org/whl/cu118\ntorch>=2.8\n");
  CheckOptions first;
  first.tool = Installer::kUv;
  first.strategy = IndexStrategy::kUnsafeFirstMatch;
  auto f =
      check_target(kb(), facts(), h, machine("600.10", {"8.6"}, "3.12"), "/u/stuck.txt", first);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->items[0].component, "torch 2.15.0 cu132");
  // ...first-index does not: the cu118 index has torch, so uv stops there and finds nothing.
  first.strategy = IndexStrategy::kFirstIndex;
  auto s =
      check_target(kb(), facts(), h, machine("570.86.10", {"8.6"}, "3.12"), "/u/stuck.txt", first);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->items[0].result.verdict, Verdict::kNo);
  EXPECT_NE(all_text(s->items[0]).find("https://download.pytorch.org/whl/cu118"), std::string::npos)
      << all_text(s->items[0]);
  EXPECT_NE(s->items[0].other.find("pip would take torch"), std::string::npos);
}

// One Dockerfile, two installers: ENV PIP_EXTRA_INDEX_URL reaches pip only (uv reads no PIP_*
// variables: astral-sh/uv docs/pip/compatibility.md), the uv line carries its own flag.
TEST(CheckDocker, PipAndUvLines) {
  auto r = check_target(kb(), facts(), files(), machine("570.86.10", {"12.0"}, ""),
                        "/p/uvdocker/Dockerfile");
  ASSERT_TRUE(r.ok()) << r.error();
  std::vector<const CheckItem*> torch;
  for (const auto& i : r->items)
    if (i.component.rfind("torch", 0) == 0) torch.push_back(&i);
  ASSERT_EQ(torch.size(), 2u);
  EXPECT_EQ(torch[0]->installer, "pip");
  EXPECT_EQ(torch[0]->component, "torch 2.15.0 cu132");
  EXPECT_EQ(torch[1]->installer, "uv (first-index)");
  EXPECT_EQ(torch[1]->component, "torch 2.11.0 cu128");
  EXPECT_EQ(torch[1]->where, "/p/uvdocker/Dockerfile:3");
}

// uv pip --torch-backend: torch from that backend's PyTorch index, unsafe-first-match. auto:
// the CUDA indexes whose minor-compatibility floor the driver meets (12.x: 525.60.13,
// cuda-minor-compat.csv:5), newest CUDA first: on 535 that is cu129, whose only release is
// 2.8.0 (torch-variants.csv); 13.x needs 580.65.06.
TEST(CheckUv, TorchBackend) {
  MemoryHost h;
  h.add_file("/t/Dockerfile",
             "FROM python:3.12\nRUN uv pip install --system torch --torch-backend=cu126\n"
             "RUN uv pip install --system torch --torch-backend auto\n");
  auto r = check_target(kb(), facts(), h, machine("535.104.05", {"8.6"}, ""), "/t/Dockerfile");
  ASSERT_TRUE(r.ok()) << r.error();
  std::vector<const CheckItem*> torch;
  for (const auto& i : r->items)
    if (i.component.rfind("torch", 0) == 0) torch.push_back(&i);
  ASSERT_EQ(torch.size(), 2u);
  EXPECT_EQ(torch[0]->component, "torch 2.14.1 cu126") << all_text(*torch[0]);
  EXPECT_NE(all_text(*torch[0]).find("--torch-backend=cu126"), std::string::npos);
  EXPECT_EQ(torch[1]->component, "torch 2.8.0 cu129") << all_text(*torch[1]);
  EXPECT_EQ(torch[1]->result.verdict, Verdict::kOkMinorCompat);
  EXPECT_EQ(torch[1]->installer, "uv (unsafe-first-match)");
}

TEST(CheckPython, OutsideRequiresPythonAndNoWheel) {
  MemoryHost h;
  h.add_file(
      "/q/pyproject.toml",
      "[project]\nname='a'\nversion='1'\nrequires-python='>=3.11'\ndependencies=['torch']\n");
  auto r =
      check_target(kb(), facts(), h, machine("580.65.06", {"9.0"}, "3.10"), "/q/pyproject.toml");
  ASSERT_TRUE(r.ok());
  bool said = false;
  for (const auto& n : r->notes)
    said = said || n.find("outside requires-python") != std::string::npos;
  EXPECT_TRUE(said);
  // Python 3.10 has no 2.15.0 wheel (torch-wheels.csv:520: cp311 and up): pip takes 2.14.1.
  EXPECT_EQ(r->items[0].component, "torch 2.14.1 cu130");
}

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// Which index a URL is (torch-variants.csv index_url column; torch-find-links.csv pages).
TEST(IdentifyIndex, UrlsAsWritten) {
  struct Row {
    std::string url;
    TorchIndex::Kind kind;
    std::string variant;
  };
  for (const Row& r : std::vector<Row>{
           {"", TorchIndex::Kind::kPypi, ""},
           {"https://pypi.org/simple/", TorchIndex::Kind::kPypi, ""},
           {"HTTPS://download.pytorch.org/whl/cu128/", TorchIndex::Kind::kVariant, "cu128"},
           {"https://download.pytorch.org/whl/rocm6.3", TorchIndex::Kind::kVariant, "rocm6.3"},
           {"https://download.pytorch.org/whl/torch_stable.html", TorchIndex::Kind::kFindLinks, ""},
           {"https://download.pytorch.org/whl/cu110/torch_stable.html",
            TorchIndex::Kind::kFindLinks, "cu110"},
           {"https://download.pytorch.org/whl/cu999/torch_stable.html", TorchIndex::Kind::kUnknown,
            ""},
           {"https://download.pytorch.org/whl/a/b/torch_stable.html", TorchIndex::Kind::kUnknown,
            ""},
           {"https://pypi.nvidia.com", TorchIndex::Kind::kUnknown, ""},
       }) {
    TorchIndex ix = identify_index(kb(), facts(), r.url);
    EXPECT_EQ(static_cast<int>(ix.kind), static_cast<int>(r.kind)) << r.url;
    EXPECT_EQ(ix.variant, r.variant) << r.url;
  }
  // torch_stable.html is known to list 1.2.0 ... 1.11.0 (torch-find-links.csv:7): other
  // releases are unknown there, never absent.
  TorchIndex page =
      identify_index(kb(), facts(), "https://download.pytorch.org/whl/torch_stable.html");
  std::vector<const TorchRelease*> unknown;
  auto builds = torch_builds_on(kb(), page, Platform::kLinuxX86_64, &unknown);
  ASSERT_FALSE(builds.empty());
  for (const auto& b : builds) {
    EXPECT_GE(b.release->version, *Pep440Version::parse("1.2.0"));
    EXPECT_LE(b.release->version, *Pep440Version::parse("1.11.0"));
    EXPECT_FALSE(b.version.local().empty()) << b.version.str();
  }
  bool newest_unknown = false;
  for (const auto* r : unknown) newest_unknown = newest_unknown || r == kb().newest_torch();
  EXPECT_TRUE(newest_unknown);
}

}  // namespace
}  // namespace cudafit
