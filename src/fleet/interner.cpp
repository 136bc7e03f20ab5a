#include "fleet/interner.h"

namespace cudafit {

Sym Interner::intern_new(std::string_view s) {
  const auto sym = static_cast<Sym>(strings_.size());
  strings_.emplace_back(s);
  index_.emplace(std::string_view(strings_.back()), sym);
  return sym;
}

}  // namespace cudafit
