// Python wheel rules (see python_wheels.h).
#include "verdict/python_wheels.h"

#include "util/strings.h"
#include "verdict/verdict.h"

namespace cudafit {
namespace {

// "cp313t" -> "3.13t" for messages.
std::string python_words(std::string_view tag) {
  if (tag.size() < 4) return std::string(tag);
  std::string digits(tag.substr(2));
  bool ft = !digits.empty() && digits.back() == 't';
  if (ft) digits.pop_back();
  if (digits.size() < 2) return std::string(tag);
  return digits.substr(0, 1) + "." + digits.substr(1) + (ft ? "t" : "");
}

std::string tag_list(const std::vector<std::string>& tags) {
  std::vector<std::string> words;
  words.reserve(tags.size());
  for (const auto& t : tags) words.push_back(python_words(t));
  return join(words, " ");
}

std::string where(const TorchWheelSet& w) {
  return " (" + w.from.where() + ", " + std::string(to_string(w.evidence)) + ")";
}

}  // namespace

std::string cpython_tag(std::string_view python) {
  std::string_view p = trim(python);
  bool ft = !p.empty() && p.back() == 't';
  if (ft) p.remove_suffix(1);
  auto parts = split(p, '.');
  if (parts.size() < 2 || !parse_uint(parts[0]) || !parse_uint(parts[1])) return {};
  return "cp" + std::string(parts[0]) + std::string(parts[1]) + (ft ? "t" : "");
}

const TorchWheelSet* wheel_set_for(const KnowledgeBase& kb, const TorchVariant& build,
                                   Platform platform) {
  if (const TorchWheelSet* own = kb.torch_wheels(build.torch, build.variant, platform)) return own;
  if (build.status == "default-pypi") return kb.torch_wheels(build.torch, "pypi", platform);
  return nullptr;
}

PythonWheelAnswer python_wheel_for(const KnowledgeBase& kb, const TorchVariant& build,
                                   Platform platform, std::string_view python) {
  PythonWheelAnswer a;
  a.tag = cpython_tag(python);
  const std::string label = "torch " + build.torch.public_str() + " " + build.variant;
  if (a.tag.empty()) {
    a.why = "'";
    a.why.append(python).append("' is not a Python version: the wheels of ").append(label);
    a.why += " were not checked";
    return a;
  }
  const std::string py = "Python " + python_words(a.tag);
  const std::string on = " on " + platform_words(platform);
  const TorchWheelSet* w = wheel_set_for(kb, build, platform);
  a.row = w;
  if (w == nullptr) {
    a.why = "which Pythons " + label + " has wheels for" + on + " is not in the data";
    return a;
  }
  switch (w->evidence) {
    case WheelEvidence::kNone:
      a.fit = PythonFit::kNo;
      a.why = label + " has no wheel" + on + ": " + w->notes + where(*w);
      return a;
    case WheelEvidence::kUnknown:
      a.why = "whether " + label + " has a wheel for " + py + on + " is unknown: " + w->notes +
              where(*w);
      return a;
    default:
      break;
  }
  if (!w->has(a.tag)) {
    if (w->evidence == WheelEvidence::kPartial) {
      a.why = "whether " + label + " has a wheel for " + py + on + " is unknown: only " +
              tag_list(w->pythons) + " are known to exist" + where(*w);
      return a;
    }
    a.fit = PythonFit::kNo;
    a.why = label + " has no wheel for " + py + on + ": its wheels are for Python " +
            tag_list(w->pythons) + where(*w);
    return a;
  }
  if (!w->requires_python.empty()) {
    auto spec = SpecifierSet::parse(w->requires_python);
    std::string x_y = python_words(a.tag);
    if (x_y.back() == 't') x_y.pop_back();
    auto ver = Pep440Version::parse(x_y);
    if (spec && ver && !spec->contains(*ver)) {
      a.fit = PythonFit::kNo;
      a.why = label + " requires Python " + w->requires_python + where(*w);
      return a;
    }
  }
  a.fit = PythonFit::kYes;
  a.why = label + " has a wheel for " + py + on + where(*w);
  return a;
}

}  // namespace cudafit
