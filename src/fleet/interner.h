// Interner: each distinct string stored once, named by a small number. A fleet of ten thousand
// machines repeats a few hundred values (driver versions, GPU names, finding ids), so what the
// fleet report holds grows with the distinct values, not with the bytes read.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cudafit {

using Sym = std::uint32_t;  // 0 is the empty string ("unknown")

class Interner {
 public:
  Interner() { intern_new(""); }
  Sym intern(std::string_view s) {
    auto it = index_.find(s);
    return it != index_.end() ? it->second : intern_new(s);
  }
  const std::string& str(Sym s) const { return strings_[s]; }
  std::size_t size() const { return strings_.size(); }

 private:
  Sym intern_new(std::string_view s);
  std::deque<std::string> strings_;  // stable addresses: the index keys view into them
  std::unordered_map<std::string_view, Sym> index_;
};

}  // namespace cudafit
