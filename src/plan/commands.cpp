// Writing install commands (see commands.h).
#include "plan/commands.h"

#include <algorithm>

#include "plan/companions.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string replace_all(std::string s, std::string_view from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

std::string shell_quote(const std::string& word) {
  if (word.empty()) return "''";
  bool plain = std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-_.=+/:@,%").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string out = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\' || c == '$' || c == '`') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

InstallCommands install_commands(const KnowledgeBase& kb, const InstallFacts& facts,
                                 const PlannedBuild& build,
                                 const std::vector<std::string>& companions,
                                 const std::vector<std::string>& extra) {
  InstallCommands c;
  const TorchRelease& rel = *build.release;
  const TorchVariant& var = *build.variant;
  const PipCommandStyle* style = facts.pip_style(rel.version);
  std::string option = "--index-url {url}";
  std::vector<std::string> local_tags;
  bool plain_default = false;
  if (style != nullptr) {
    option = style->index_option;
    local_tags = style->local_tags;
    plain_default = style->default_without_index;
    c.sources.push_back(style->from.where());
  } else {
    c.notes.push_back("how PyTorch publishes the command of torch " + rel.version.str() +
                      " is not in the data: the --index-url form is assumed");
  }
  auto tagged = [&](const std::string& name, const Pep440Version& v) {
    std::string s = name + "==" + v.public_str();
    if (std::find(local_tags.begin(), local_tags.end(), name) != local_tags.end())
      s += "+" + var.variant;
    return s;
  };
  c.packages.push_back(tagged("torch", rel.version));
  std::vector<std::pair<std::string, std::string>> conda_pkgs{
      {"pytorch", rel.version.public_str()}};
  for (const auto& name : companions) {
    CompanionPairing pair = companion_for(kb, &facts, rel, name);
    c.sources.insert(c.sources.end(), pair.sources.begin(), pair.sources.end());
    if (!pair.version) {
      // An unpinned companion would make pip fetch one built for another torch.
      c.notes.push_back(pair.why + ": " + name + " left out");
      continue;
    }
    if (pair.basis == PairingBasis::kRange || pair.basis == PairingBasis::kDate)
      c.notes.push_back(name + " " + pair.version->str() + " for torch " + rel.version.str() +
                        " is not a pin: " + pair.why);
    c.packages.push_back(tagged(name, *pair.version));
    conda_pkgs.push_back({name, pair.version->public_str()});
  }
  std::vector<std::string> words = c.packages;
  for (const auto& e : extra) words.push_back(shell_quote(e));
  if (!(plain_default && var.status == "default-pypi") && !var.index_url.empty()) {
    c.index_url = var.index_url;
    c.index_option = replace_all(option, "{url}", var.index_url);
  }
  std::string args = join(words, " ");
  if (!c.index_option.empty()) args += " " + c.index_option;
  c.pip = "pip install " + args;
  c.uv = "uv pip install " + args;
  if (!c.index_option.empty()) c.requirements = c.index_option + "\n";
  for (const auto& p : c.packages) c.requirements += p + "\n";
  for (const auto& e : extra) c.requirements += e + "\n";
  if (const CondaRecipe* r = facts.conda_recipe(rel.version, var.variant, var.is_cuda())) {
    std::vector<std::string> cw;
    for (auto& [name, version] : conda_pkgs) {
      std::string v = version;
      if (name == "torchvision" && !r->torchvision.empty()) v = r->torchvision;
      if (name == "torchaudio" && !r->torchaudio.empty()) v = r->torchaudio;
      cw.push_back(v.empty() ? name : name + "==" + v);
    }
    std::string pin = r->pin;
    if (var.cuda) pin = replace_all(pin, "{cuda}", var.cuda->major_minor());
    c.conda = "conda install " + join(cw, " ") + " " + pin + " " + r->channels;
    c.sources.push_back(r->from.where());
  }
  return c;
}

InstallCommands install_commands(const InstallFacts& facts, const PlannedBuild& build,
                                 const std::vector<std::string>& companions,
                                 const std::vector<std::string>& extra) {
  auto kb = KnowledgeBase::embedded();
  return install_commands(**kb, facts, build, companions, extra);
}

}  // namespace cudafit
