// PEP 508 requirements and environment markers.
// Sources: PEP 508 (grammar, marker variables), PEP 503 (name normalization), packaging's
// requirements/markers modules (str() form, "extra" normalization, version comparison in
// markers), and real Requires-Dist lines from torch METADATA on PyPI
// (../shared/reference/pytorch/*requires-dist.jsonl).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "versions/requirement.h"

namespace cudafit {
namespace {

using Env = std::map<std::string, std::string>;

// Linux x86_64, CPython 3.12 (what `python -c "import platform..."` reports there).
const Env kLinuxX86 = {
    {"platform_system", "Linux"},       {"platform_machine", "x86_64"},
    {"sys_platform", "linux"},          {"os_name", "posix"},
    {"python_version", "3.12"},         {"python_full_version", "3.12.1"},
    {"implementation_name", "cpython"}, {"platform_python_implementation", "CPython"}};
const Env kLinuxArm = {{"platform_system", "Linux"},
                       {"platform_machine", "aarch64"},
                       {"sys_platform", "linux"},
                       {"python_version", "3.14"},
                       {"python_full_version", "3.14.0rc1"}};
const Env kWindows = {{"platform_system", "Windows"}, {"platform_machine", "AMD64"},
                      {"sys_platform", "win32"},      {"os_name", "nt"},
                      {"python_version", "3.8"},      {"python_full_version", "3.8.10"}};

TEST(PackageName, NormalizesPerPep503) {
  struct Row {
    const char* in;
    const char* out;
  };
  const Row rows[] = {{"Typing_Extensions", "typing-extensions"},
                      {"nvidia-cudnn-cu12", "nvidia-cudnn-cu12"},
                      {"Foo.Bar", "foo-bar"},
                      {"foo__-._bar", "foo-bar"},
                      {"TORCH", "torch"},
                      {"opt_einsum", "opt-einsum"}};
  for (const Row& r : rows) EXPECT_EQ(normalize_package_name(r.in), r.out) << r.in;
}

TEST(Requirement, ParsesRealTorchMetadata) {
  struct Row {
    const char* in;
    const char* name;
    const char* specifier;  // packaging's str(SpecifierSet)
    const char* str;        // packaging's str(Requirement)
    bool linux_x86, linux_arm, windows;
  };
  const Row rows[] = {
      {"nvidia-cudnn-cu12==8.9.2.26; platform_system == \"Linux\" and platform_machine == "
       "\"x86_64\"",
       "nvidia-cudnn-cu12", "==8.9.2.26",
       "nvidia-cudnn-cu12==8.9.2.26; platform_system == \"Linux\" and platform_machine == "
       "\"x86_64\"",
       true, false, false},
      {"cuda-toolkit[cublas,cudart]==13.0.2; platform_system == \"Linux\"", "cuda-toolkit",
       "==13.0.2", "cuda-toolkit[cublas,cudart]==13.0.2; platform_system == \"Linux\"", true, true,
       false},
      {"triton==3.3.1; platform_system == \"Linux\" and platform_machine == \"x86_64\"", "triton",
       "==3.3.1", "triton==3.3.1; platform_system == \"Linux\" and platform_machine == \"x86_64\"",
       true, false, false},
      {"sympy>=1.13.3", "sympy", ">=1.13.3", "sympy>=1.13.3", true, true, true},
      {"typing-extensions>=4.10.0", "typing-extensions", ">=4.10.0", "typing-extensions>=4.10.0",
       true, true, true},
      // Older METADATA: parenthesized specifiers, single-quoted values.
      {"nvidia-cuda-runtime-cu11 (==11.7.99) ; platform_system == \"Linux\"",
       "nvidia-cuda-runtime-cu11", "==11.7.99",
       "nvidia-cuda-runtime-cu11==11.7.99; platform_system == \"Linux\"", true, true, false},
      {"sympy (==1.12.1) ; python_version == \"3.8\"", "sympy", "==1.12.1",
       "sympy==1.12.1; python_version == \"3.8\"", false, false, true},
      {"cuda-bindings<14,>=13.0.3; platform_system == \"Linux\" and python_version < \"3.15\"",
       "cuda-bindings", "<14,>=13.0.3",
       "cuda-bindings<14,>=13.0.3; platform_system == \"Linux\" and python_version < \"3.15\"",
       true, true, false},
      {"scipy >=1.7.1 ; extra == 'tests'", "scipy", ">=1.7.1", "scipy>=1.7.1; extra == \"tests\"",
       false, false, false},
      {"torch ==2.4.0", "torch", "==2.4.0", "torch==2.4.0", true, true, true},
      {"typing-extensions", "typing-extensions", "", "typing-extensions", true, true, true},
  };
  for (const Row& r : rows) {
    auto req = Requirement::parse(r.in);
    ASSERT_TRUE(req.ok()) << r.in << ": " << req.error();
    EXPECT_EQ(req->name, r.name) << r.in;
    EXPECT_EQ(req->specifier.str(), r.specifier) << r.in;
    EXPECT_EQ(req->str(), r.str) << r.in;
    EXPECT_EQ(req->markers_hold(kLinuxX86), r.linux_x86) << r.in;
    EXPECT_EQ(req->markers_hold(kLinuxArm), r.linux_arm) << r.in;
    EXPECT_EQ(req->markers_hold(kWindows), r.windows) << r.in;
  }
  auto toolkit =
      Requirement::parse("cuda-toolkit[cublas,cudart]==13.0.2; platform_system == \"Linux\"");
  ASSERT_TRUE(toolkit.ok());
  EXPECT_EQ(toolkit->extras, (std::vector<std::string>{"cublas", "cudart"}));
  EXPECT_TRUE(toolkit->specifier.contains(Pep440Version::parse("13.0.2").value()));
}

TEST(Requirement, ParsesNamesExtrasUrlsAndSpacing) {
  auto r = Requirement::parse(
      "  Foo.Bar_baz [ Extra1 , extra-2 ] ( >=1.0 , <2 ) ; python_version>='3.8'  ");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->name, "Foo.Bar_baz");
  EXPECT_EQ(r->normalized_name(), "foo-bar-baz");
  EXPECT_EQ(r->extras, (std::vector<std::string>{"Extra1", "extra-2"}));
  EXPECT_EQ(r->specifier.str(), "<2,>=1.0");
  EXPECT_EQ(r->str(), "Foo.Bar_baz[Extra1,extra-2]<2,>=1.0; python_version >= \"3.8\"");

  auto url = Requirement::parse(
      "torch @ https://download.pytorch.org/whl/cu121/torch-2.3.1.whl ; python_version < '3.13'");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->url, "https://download.pytorch.org/whl/cu121/torch-2.3.1.whl");
  EXPECT_TRUE(url->specifier.empty());
  EXPECT_TRUE(url->markers_hold(kLinuxX86));
  EXPECT_FALSE(url->markers_hold(kLinuxArm));
  EXPECT_EQ(
      url->str(),
      "torch @ https://download.pytorch.org/whl/cu121/torch-2.3.1.whl ; python_version < \"3.13\"");
  // Without a space, the ';' belongs to the URL (PEP 508).
  auto tight = Requirement::parse("x@http://h/a;b");
  ASSERT_TRUE(tight.ok()) << tight.error();
  EXPECT_EQ(tight->url, "http://h/a;b");
  EXPECT_FALSE(tight->marker.has_value());

  auto empty_extras = Requirement::parse("x[]>=1");
  ASSERT_TRUE(empty_extras.ok()) << empty_extras.error();
  EXPECT_TRUE(empty_extras->extras.empty());
  EXPECT_TRUE(Requirement::parse("a").ok());  // one-character names are identifiers too
}

TEST(Requirement, ErrorsNameThePosition) {
  struct Row {
    const char* in;
    const char* fragment;  // part of the message
  };
  const Row rows[] = {
      {"", "package name"},
      {"-x", "package name at position 1"},
      {"x ==", "version specifier"},
      {"x >=1.0 2.0", "at position 9"},
      {"x[", "extra name at the end"},
      {"x[a,]", "extra name at position 5"},
      {"x[a b]", "',' or ']' at position 5"},
      {"x (>=1.0", "')' at the end"},
      {"x; python_version", "not in) at the end"},
      {"x; foo == 'a'", "marker variable or quoted string at position 4"},
      {"x; python_version > '3.8' and", "marker variable or quoted string at the end"},
      {"x; python_version > '3.8", "closing quote"},
      {"x; (python_version > '3.8'", "')' or a boolean operator at the end"},
      {"x>=1.0;;", "at position 8"},
      {"x; python_version not '3.8'", "'in' after 'not'"},
      {"x @", "URL at the end"},
      {"x @ http://h/a extra", "';' or the end at position 16"},
      {"x~=1", "~= needs at least two release numbers"},
      {"x==1.0+local ; python_version >= '3' or", "at the end"},
  };
  for (const Row& r : rows) {
    auto req = Requirement::parse(r.in);
    ASSERT_FALSE(req.ok()) << "'" << r.in << "' parsed as " << req->str();
    EXPECT_NE(req.error().find(r.fragment), std::string::npos) << r.in << " -> " << req.error();
    EXPECT_NE(req.error().find("invalid requirement"), std::string::npos) << req.error();
  }
}

TEST(Marker, EvaluatesLikePackaging) {
  struct Row {
    const char* marker;
    Env env;
    bool expected;
  };
  const Row rows[] = {
      // Versions compare as PEP 440 versions, not strings ("3.12" > "3.9").
      {"python_version >= '3.9'", kLinuxX86, true},
      {"python_version < '3.13'", kLinuxX86, true},
      {"python_version > '3.12'", kLinuxX86, false},
      {"python_version == '3.12.*'", kLinuxX86, true},
      {"python_version ~= '3.10'", kLinuxX86, true},
      {"'3.9' < python_version", kLinuxX86, true},  // variable on the right
      // Pre-releases are allowed in markers (packaging passes prereleases=True).
      {"python_full_version >= '3.14.0a1'", kLinuxArm, true},
      {"python_full_version >= '3.14'", kLinuxArm, false},
      // Not versions: plain string comparison.
      {"platform_machine == 'x86_64'", kLinuxX86, true},
      {"platform_machine != 'x86_64'", kLinuxArm, true},
      {"platform_system < 'M'", kLinuxX86, true},
      {"implementation_name == 'cpython'", kLinuxX86, true},
      // in / not in: substring (PEP 508).
      {"'linux' in sys_platform", kLinuxX86, true},
      {"sys_platform not in 'win32 cygwin'", kLinuxX86, true},
      {"sys_platform not in 'win32 cygwin'", kWindows, false},
      {"platform_machine in 'x86_64 AMD64'", kWindows, true},
      // and binds tighter than or; parentheses group.
      {"platform_machine == 'aarch64' or platform_system == 'Linux' and python_version < '3.9'",
       kLinuxX86, false},
      {"(platform_machine == 'aarch64' or platform_system == 'Linux') and python_version < '3.9'",
       kLinuxX86, false},
      {"platform_machine == 'x86_64' or platform_system == 'Windows' and python_version < '3.9'",
       kLinuxX86, true},
      {"(python_version < '3.9' or python_version > '3.13') and os_name == 'nt'", kWindows, true},
      {"((platform_system == 'Linux'))", kLinuxX86, true},
      // extra: absent means "", and names compare PEP 503-normalized (packaging >= 22).
      {"extra == 'tests'", kLinuxX86, false},
      {"extra == 'Opt_Einsum'", Env{{"extra", "opt-einsum"}}, true},
      {"extra == 'tests'", Env{{"extra", "TESTS"}}, true},
      // Legacy dotted variable names still read.
      {"os.name == 'posix' and sys.platform == 'linux'", kLinuxX86, true},
      {"python_implementation == 'CPython'", kLinuxX86, true},
      // Two literals.
      {"'a' == 'b' or 'c' != 'd'", Env{}, true},
  };
  for (const Row& r : rows) {
    auto m = Marker::parse(r.marker);
    ASSERT_TRUE(m.ok()) << r.marker << ": " << m.error();
    EXPECT_EQ(m->evaluate(r.env), r.expected) << r.marker;
  }
}

TEST(Marker, ParsesIntoATree) {
  auto m = Marker::parse("a_x == 'b'");
  EXPECT_FALSE(m.ok());
  m = Marker::parse(
      "os_name == 'nt' or platform_system == 'Linux' and platform_machine == 'x86_64'");
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->kind, Marker::Kind::kOr);
  ASSERT_EQ(m->children.size(), 2u);
  EXPECT_EQ(m->children[0].kind, Marker::Kind::kCompare);
  EXPECT_EQ(m->children[0].lhs.text, "os_name");
  EXPECT_TRUE(m->children[0].lhs.is_variable);
  EXPECT_EQ(m->children[0].rhs.text, "nt");
  EXPECT_FALSE(m->children[0].rhs.is_variable);
  EXPECT_EQ(m->children[1].kind, Marker::Kind::kAnd);
  EXPECT_EQ(m->children[1].children.size(), 2u);
  auto grouped = Marker::parse("(os_name=='nt' or os_name=='posix') and python_version<'3.9'");
  ASSERT_TRUE(grouped.ok());
  EXPECT_EQ(grouped->str(),
            "(os_name == \"nt\" or os_name == \"posix\") and python_version < \"3.9\"");
  auto legacy = Marker::parse("platform.machine=='x'");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->lhs.text, "platform_machine");
  auto quoted = Marker::parse("os_name == 'say \"hi\"'");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->str(), "os_name == 'say \"hi\"'");
  auto notin = Marker::parse("'x' not  in extra");
  ASSERT_TRUE(notin.ok());
  EXPECT_EQ(notin->op, "not in");
  EXPECT_FALSE(Marker::parse("os_name == 'nt' andpython_version == '3'").ok());
  EXPECT_FALSE(Marker::parse("os_name inx 'nt'").ok());
}

// Every Requires-Dist line PyPI gave for torch 1.13 - 2.15 parses, and its markers evaluate.
TEST(Requirement, ParsesEveryReferenceRequiresDist) {
  const std::string dir = std::string(CUDAFIT_SOURCE_DIR) + "/tests/versions/data/";
  int parsed = 0;
  for (const char* file :
       {"torch-pypi-requires-dist.jsonl", "torch-pypi-aarch64-requires-dist.jsonl",
        "companions-pypi-requires-dist.jsonl"}) {
    std::ifstream in(dir + file);
    ASSERT_TRUE(in) << dir + file;
    std::string line;
    while (std::getline(in, line)) {
      // The requirement strings sit in a JSON array "requires_dist": [...]; pull each quoted
      // element out without a JSON library (they contain \" escapes only).
      size_t at = line.find("\"requires_dist\": [");
      if (at == std::string::npos) continue;
      size_t i = at + 18;
      while (i < line.size() && line[i] != ']') {
        if (line[i] != '"') {
          ++i;
          continue;
        }
        std::string item;
        for (++i; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) ++i;
          item += line[i];
        }
        ++i;
        auto req = Requirement::parse(item);
        EXPECT_TRUE(req.ok()) << item << ": " << (req.ok() ? "" : req.error());
        if (!req.ok()) continue;
        ++parsed;
        (void)req->markers_hold(kLinuxX86);
        // str() round-trips to an equal requirement.
        auto again = Requirement::parse(req->str());
        ASSERT_TRUE(again.ok()) << req->str();
        EXPECT_EQ(again->str(), req->str());
      }
    }
  }
  EXPECT_GT(parsed, 500);
}

}  // namespace
}  // namespace cudafit
