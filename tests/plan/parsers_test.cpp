// requirements.txt, pyproject.toml, Dockerfile and image-reference parsing; malformed input
// gives one error line naming the place.
#include <gtest/gtest.h>

#include <ostream>

#include "plan/docker.h"
#include "plan/requirements_file.h"
#include "test_kb.h"

namespace cudafit {
namespace {

TEST(RequirementsTxt, OptionsCommentsContinuations) {
  auto r = parse_requirements_txt(
      "# a comment\n"
      "--index-url https://download.pytorch.org/whl/cu121\n"
      "--extra-index-url=https://pypi.org/simple\n"
      "-f https://example.org/links\n"
      "torch==2.3.1 \\\n"
      "  --hash=sha256:abc\n"
      "numpy<2  # pinned\n"
      "-e ./local\n"
      "./wheel.whl\n"
      "--pre\n",
      "requirements.txt");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->index_url, "https://download.pytorch.org/whl/cu121");
  ASSERT_EQ(r->extra_index_urls.size(), 1u);
  ASSERT_EQ(r->find_links.size(), 1u);
  ASSERT_EQ(r->requirements.size(), 2u);
  EXPECT_EQ(r->requirements[0].req.name, "torch");
  EXPECT_EQ(r->requirements[0].where, "requirements.txt:5");
  EXPECT_EQ(r->requirements[1].req.name, "numpy");
  EXPECT_EQ(r->notes.size(), 2u);
}

struct Bad {
  std::string text, error_prefix;
};
void PrintTo(const Bad& b, std::ostream* os) { *os << b.error_prefix; }

class MalformedRequirements : public ::testing::TestWithParam<Bad> {};
TEST_P(MalformedRequirements, OneLineErrorNamingTheLine) {
  auto r = parse_requirements_txt(GetParam().text, "req.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rfind(GetParam().error_prefix, 0), 0u) << r.error();
  EXPECT_EQ(r.error().find('\n'), std::string::npos);
}
INSTANTIATE_TEST_SUITE_P(Rows, MalformedRequirements,
                         ::testing::Values(Bad{"torch==\n", "req.txt:1:"},
                                           Bad{"numpy\n\ntorch>=>2\n", "req.txt:3:"},
                                           Bad{"--bogus-option x\n", "req.txt:1: unknown option"},
                                           Bad{"--index-url\n", "req.txt:1:"},
                                           Bad{"-r other.txt\n", "req.txt:1: -r other.txt"},
                                           Bad{"torch ==2.3.1 ; python_version <\n", "req.txt:1:"},
                                           Bad{"tor ch\n", "req.txt:1:"}));

TEST(RequirementsTxt, IncludesFollowedInsideTheFolderOnly) {
  MemoryHost host;
  host.add_file("/p/requirements.txt", "-r base.txt\ntorch==2.3.1\n");
  host.add_file("/p/base.txt", "--index-url https://download.pytorch.org/whl/cu118\nnumpy\n");
  host.add_file("/p/evil.txt", "-r ../etc/passwd\n");
  auto r = read_requirements_txt(host, "/p/requirements.txt");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->requirements.size(), 2u);
  EXPECT_EQ(r->index_url, "https://download.pytorch.org/whl/cu118");
  auto evil = read_requirements_txt(host, "/p/evil.txt");
  ASSERT_FALSE(evil.ok());
  EXPECT_NE(evil.error().find("/p/evil.txt:1: -r ../etc/passwd: refused"), std::string::npos)
      << evil.error();
  host.add_file("/p/loop.txt", "-r loop.txt\n");
  auto loop = read_requirements_txt(host, "/p/loop.txt");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.error().find("too deep"), std::string::npos);
}

TEST(Pyproject, DependenciesAndUvIndex) {
  auto r = parse_pyproject(R"(
[project]
name = "x"
dependencies = [
  "torch==2.3.1",
  "numpy>=1.26",
]

[tool.uv.sources]
torch = [{ index = "pytorch-cu121", marker = "sys_platform == 'linux'" }]

[[tool.uv.index]]
name = "pytorch-cu121"
url = "https://download.pytorch.org/whl/cu121"
explicit = true
)",
                           "pyproject.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->requirements.size(), 2u);
  EXPECT_EQ(r->requirements[0].where, "pyproject.toml:5");
  EXPECT_EQ(r->index_url, "") << "a uv index routes only the packages its sources name";
  ASSERT_EQ(r->uv_indexes.size(), 1u);
  EXPECT_EQ(r->uv_indexes[0].name, "pytorch-cu121");
  EXPECT_EQ(r->uv_indexes[0].url, "https://download.pytorch.org/whl/cu121");
  EXPECT_TRUE(r->uv_indexes[0].explicit_only);
  EXPECT_EQ(r->uv_indexes[0].where, "pyproject.toml:12");  // its [[tool.uv.index]] line
  ASSERT_EQ(r->uv_sources.size(), 1u);
  EXPECT_EQ(r->uv_sources[0].package, "torch");
  EXPECT_EQ(r->uv_sources[0].index, "pytorch-cu121");
  ASSERT_TRUE(r->uv_sources[0].marker.has_value());
  EXPECT_TRUE(r->uv_sources[0].marker->evaluate({{"sys_platform", "linux"}}));
  EXPECT_EQ(r->installer, "uv");
  EXPECT_EQ(r->requires_python, "");
}

// The rest of what uv reads from pyproject.toml: requires-python, extras and dependency groups
// (each requirement tagged), per-extra sources, and [tool.uv]'s legacy index settings.
TEST(Pyproject, UvSettingsExtrasAndGroups) {
  auto r = parse_pyproject(R"(
[project]
name = "x"
requires-python = ">=3.10,<3.14"
dependencies = ["numpy"]
[project.optional-dependencies]
cu128 = ["torch>=2.7"]
cpu = ["torch>=2.7"]
[dependency-groups]
dev = ["pytest", {include-group = "lint"}]
lint = ["ruff"]
[tool.uv]
index-url = "https://mirror.example/simple"
extra-index-url = ["https://download.pytorch.org/whl/cu126"]
find-links = "https://download.pytorch.org/whl/torch_stable.html"
index-strategy = "unsafe-best-match"
[tool.uv.sources]
torch = [
  { index = "pytorch-cu128", extra = "cu128" },
  { index = "pytorch-cpu", extra = "cpu" },
]
tool-x = { git = "https://github.com/x/y" }
[[tool.uv.index]]
name = "pytorch-cu128"
url = "https://download.pytorch.org/whl/cu128"
explicit = true
[[tool.uv.index]]
name = "pytorch-cpu"
url = "https://download.pytorch.org/whl/cpu"
explicit = true
default = false
)",
                           "pyproject.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->requires_python, ">=3.10,<3.14");
  EXPECT_EQ(r->requires_python_where, "pyproject.toml:4");
  ASSERT_EQ(r->requirements.size(), 5u);  // numpy, 2 x torch, pytest, ruff (include-group skipped)
  // toml++ walks a table's keys sorted: extras and groups come in name order.
  EXPECT_EQ(r->requirements[1].extra, "cpu");
  EXPECT_EQ(r->requirements[2].extra, "cu128");
  EXPECT_EQ(r->requirements[3].group, "dev");
  EXPECT_EQ(r->index_url, "https://mirror.example/simple");
  ASSERT_EQ(r->extra_index_urls.size(), 1u);
  ASSERT_EQ(r->find_links.size(), 1u);
  EXPECT_EQ(r->index_strategy, "unsafe-best-match");
  ASSERT_EQ(r->uv_sources.size(), 3u);
  EXPECT_EQ(r->uv_sources[0].package, "tool-x");
  EXPECT_EQ(r->uv_sources[0].other, "git");
  EXPECT_EQ(r->uv_sources[1].extra, "cu128");  // a list keeps its order
  EXPECT_EQ(r->uv_sources[2].extra, "cpu");
  EXPECT_EQ(r->uv_indexes.size(), 2u);
  auto plain = parse_pyproject("[project]\ndependencies = [\"torch\"]\n", "pyproject.toml");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->installer, "pip") << "no [tool.uv]: pip install . reads [project] only";
}

TEST(Pyproject, MalformedUvTablesNameTheLine) {
  for (const char* text : {
           "[tool.uv]\nindex = 3\n",
           "[[tool.uv.index]]\nname = \"a\"\n",
           "[[tool.uv.index]]\nname = \"a\"\nurl = 5\n",
           "[[tool.uv.index]]\nname = \"a\"\nurl = \"u\"\nexplicit = \"yes\"\n",
           "[tool.uv]\nextra-index-url = [1]\n",
           "[project]\nrequires-python = \">=banana\"\n",
           "[tool.uv.sources]\ntorch = { index = \"a\", marker = \"os_name ===\" }\n"
           "[[tool.uv.index]]\nname = \"a\"\nurl = \"u\"\n",
       }) {
    auto r = parse_pyproject(text, "pyproject.toml");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().rfind("pyproject.toml:", 0), 0u) << r.error();
  }
}

TEST(Pyproject, MalformedNamesTheLine) {
  auto bad_toml =
      parse_pyproject("[project]\ndependencies = [\n  \"torch\",\n  oops\n]\n", "pyproject.toml");
  ASSERT_FALSE(bad_toml.ok());
  EXPECT_EQ(bad_toml.error().rfind("pyproject.toml:4:", 0), 0u) << bad_toml.error();
  auto bad_req =
      parse_pyproject("[project]\ndependencies = [\n  \"torch==\",\n]\n", "pyproject.toml");
  ASSERT_FALSE(bad_req.ok());
  EXPECT_EQ(bad_req.error().rfind("pyproject.toml:3:", 0), 0u) << bad_req.error();
  auto not_list = parse_pyproject("[project]\ndependencies = \"torch\"\n", "pyproject.toml");
  ASSERT_FALSE(not_list.ok());
  EXPECT_EQ(not_list.error().rfind("pyproject.toml:2:", 0), 0u) << not_list.error();
  auto no_index =
      parse_pyproject("[tool.uv.sources]\ntorch = { index = \"nope\" }\n", "pyproject.toml");
  ASSERT_FALSE(no_index.ok());
}

TEST(ImageRef, Parses) {
  auto r = ImageRef::parse("nvcr.io/nvidia/pytorch:24.05-py3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->registry, "nvcr.io");
  EXPECT_EQ(r->repository, "nvidia/pytorch");
  EXPECT_EQ(r->tag, "24.05-py3");
  auto hub = ImageRef::parse("docker.io/library/ubuntu:22.04@sha256:abc");
  ASSERT_TRUE(hub.ok());
  EXPECT_EQ(hub->registry, "");
  EXPECT_EQ(hub->repository, "ubuntu");
  EXPECT_EQ(hub->digest, "sha256:abc");
  auto port = ImageRef::parse("localhost:5000/x/y:1");
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->registry, "localhost:5000");
  EXPECT_EQ(port->tag, "1");
  for (const char* bad : {"", "a b", "x:", "/x", "x//y", "x@", "ümlaut"}) {
    EXPECT_FALSE(ImageRef::parse(bad).ok()) << bad;
  }
}

TEST(ImageRef, WhatTheNameSays) {
  const auto& f = testing::facts();
  auto cuda = image_stack(*ImageRef::parse("nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04"), f);
  EXPECT_EQ(cuda.kind, ImageStack::Kind::kNvidiaCuda);
  ASSERT_TRUE(cuda.cuda.has_value());
  EXPECT_EQ(cuda.cuda->str(), "12.4.1");
  EXPECT_EQ(cuda.flavor, "runtime");
  auto pt = image_stack(*ImageRef::parse("pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime"), f);
  EXPECT_EQ(pt.kind, ImageStack::Kind::kPytorch);
  EXPECT_EQ(pt.torch->str(), "2.3.1");
  EXPECT_EQ(pt.cuda->str(), "12.1");
  EXPECT_EQ(pt.cudnn, "8");
  // images-ngc-pytorch.csv 24.05 row: CUDA 12.4.1.
  auto ngc = image_stack(*ImageRef::parse("nvcr.io/nvidia/pytorch:24.05-py3"), f);
  EXPECT_EQ(ngc.kind, ImageStack::Kind::kNgcPytorch);
  ASSERT_NE(ngc.ngc, nullptr);
  EXPECT_EQ(ngc.cuda->str(), "12.4.1");
  auto unknown_ngc = image_stack(*ImageRef::parse("nvcr.io/nvidia/pytorch:01.01-py3"), f);
  EXPECT_FALSE(unknown_ngc.cuda.has_value());
  EXPECT_FALSE(unknown_ngc.note.empty());
  auto latest = image_stack(*ImageRef::parse("pytorch/pytorch"), f);
  EXPECT_FALSE(latest.cuda.has_value());
}

TEST(Dockerfile, ArgsStagesAndPipInstalls) {
  auto d = parse_dockerfile(R"(# syntax=docker/dockerfile:1
ARG CUDA=12.4.1
ARG BASE=nvidia/cuda:${CUDA}-cudnn-runtime-ubuntu22.04
FROM ${BASE} AS build
ARG TORCH=2.3.1
RUN apt-get update && \
    pip install --no-cache-dir torch==${TORCH} \
      --index-url https://download.pytorch.org/whl/cu121 && echo done
FROM build AS final
RUN python3 -m pip install "numpy<2"
)",
                            "Dockerfile");
  ASSERT_TRUE(d.ok()) << d.error();
  ASSERT_EQ(d->froms.size(), 2u);
  EXPECT_EQ(d->froms[0].image.text, "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04");
  EXPECT_EQ(d->froms[0].where, "Dockerfile:4");
  EXPECT_TRUE(d->froms[1].from_stage);
  ASSERT_EQ(d->pip_installs.size(), 2u);
  EXPECT_EQ(d->pip_installs[0].where, "Dockerfile:6");
  ASSERT_EQ(d->pip_installs[0].set.requirements.size(), 1u);
  EXPECT_EQ(d->pip_installs[0].set.requirements[0].text, "torch==2.3.1");
  EXPECT_EQ(d->pip_installs[0].set.index_url, "https://download.pytorch.org/whl/cu121");
}

// `uv pip install` is uv's; ENV index variables reach the installer that reads them (pip: PIP_*,
// uv: UV_*), the command line's own options win; a later FROM <stage> inherits the stage's ENV.
TEST(Dockerfile, InstallersAndEnv) {
  auto d = parse_dockerfile(R"(FROM python:3.12-slim AS base
ENV PIP_EXTRA_INDEX_URL="https://download.pytorch.org/whl/cu121 https://download.pytorch.org/whl/cu118" \
    UV_INDEX_STRATEGY=unsafe-best-match
ENV UV_EXTRA_INDEX_URL https://download.pytorch.org/whl/cu126
RUN pip install torch && uv pip install --system --python 3.12 torch
RUN pip install --extra-index-url https://download.pytorch.org/whl/cu128 torch
FROM base
RUN uv pip install --index-strategy first-index --index cu=https://download.pytorch.org/whl/cu130 torch --no-index --torch-backend=cu126
)",
                            "Dockerfile");
  ASSERT_TRUE(d.ok()) << d.error();
  ASSERT_EQ(d->pip_installs.size(), 4u);
  const auto& pip = d->pip_installs[0].set;
  EXPECT_EQ(pip.installer, "pip");
  ASSERT_EQ(pip.extra_index_urls.size(), 2u);
  EXPECT_EQ(pip.extra_index_urls[1], "https://download.pytorch.org/whl/cu118");
  const auto& uv = d->pip_installs[1].set;
  EXPECT_EQ(uv.installer, "uv");
  ASSERT_EQ(uv.extra_index_urls.size(), 1u);
  EXPECT_EQ(uv.extra_index_urls[0], "https://download.pytorch.org/whl/cu126");
  EXPECT_EQ(uv.index_strategy, "unsafe-best-match");
  ASSERT_EQ(uv.requirements.size(), 1u) << "--python 3.12 takes a value, not a requirement";
  ASSERT_EQ(d->pip_installs[2].set.extra_index_urls.size(), 1u) << "its own flag wins";
  EXPECT_EQ(d->pip_installs[2].set.extra_index_urls[0], "https://download.pytorch.org/whl/cu128");
  const auto& inherited = d->pip_installs[3];
  EXPECT_EQ(inherited.stage, 1);
  EXPECT_EQ(inherited.set.index_strategy, "first-index");
  ASSERT_EQ(inherited.set.extra_index_urls.size(), 1u);
  EXPECT_EQ(inherited.set.extra_index_urls[0], "https://download.pytorch.org/whl/cu130");
  EXPECT_TRUE(inherited.set.no_index);
  EXPECT_EQ(inherited.set.torch_backend, "cu126");
  const auto& f = testing::facts();
  EXPECT_EQ(image_python(d->froms[0].image, f), "3.12");
  EXPECT_EQ(image_python(*ImageRef::parse("python:3.10.14-bookworm"), f), "3.10");
  EXPECT_EQ(image_python(*ImageRef::parse("python:latest"), f), "");
  EXPECT_EQ(image_python(*ImageRef::parse("ubuntu:22.04"), f), "");
}

class MalformedDockerfile : public ::testing::TestWithParam<Bad> {};
TEST_P(MalformedDockerfile, OneLineErrorNamingTheLine) {
  auto r = parse_dockerfile(GetParam().text, "Dockerfile");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rfind(GetParam().error_prefix, 0), 0u) << r.error();
  EXPECT_EQ(r.error().find('\n'), std::string::npos);
}
INSTANTIATE_TEST_SUITE_P(
    Rows, MalformedDockerfile,
    ::testing::Values(Bad{"FROM\n", "Dockerfile:1: FROM without"},
                      Bad{"\nFROM ubuntu:22.04 extra\n", "Dockerfile:2:"},
                      Bad{"FROM ${X\n", "Dockerfile:1: unterminated"},
                      Bad{"RUN pip install torch\n", "Dockerfile:1:"},
                      Bad{"FROM ubuntu\nRUN pip install 'torch=='\n", "Dockerfile:2:"},
                      Bad{"FROM a b c d\n", "Dockerfile:1:"},
                      Bad{"FROM bad image!\n", "Dockerfile:1:"},
                      Bad{"# only a comment\n", "Dockerfile: no FROM"},
                      Bad{"FROM ubuntu\n%%% nonsense\n", "Dockerfile:2:"},
                      Bad{"ENV A=1\nFROM ubuntu\n", "Dockerfile:1: ENV before"},
                      Bad{"FROM ubuntu\nENV =x\n", "Dockerfile:2: ENV"},
                      Bad{"FROM ubuntu\nENV\n", "Dockerfile:2: ENV"}));

}  // namespace
}  // namespace cudafit

namespace cudafit {
namespace {

// Non-ASCII text (allowed in TOML strings and comments) still parses; the input that made
// toml++ 3.3 reach an "unreachable" in its Unicode tables (fuzz_pyproject) gives an answer,
// not undefined behaviour.
TEST(Pyproject, NonAsciiStringsAndFuzzFinding) {
  auto r = parse_pyproject(
      "[project]\nname = \"x\"\nauthors = [{name = \"Jos\xc3\xa9\"}]  # caf\xc3\xa9\n"
      "dependencies = [\"torch==2.3.1\"]\n",
      "pyproject.toml");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->requirements.size(), 1u);
  const std::string crash("[p\xef\xbb\xb9@o*rejnd\0a[0", 16);
  (void)parse_pyproject(crash, "pyproject.toml");
}

}  // namespace
}  // namespace cudafit
