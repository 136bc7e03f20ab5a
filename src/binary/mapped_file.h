// MappedFile: the bytes of one file of the described machine, memory-mapped read-only.
//
// The file is found through Host::disk_path (so --root applies); a Host without disk files
// (MemoryHost) is read through Host::read_file instead. mapped_file.cpp is the only file in
// src/binary that calls open/mmap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/host.h"
#include "util/result.h"

namespace cudafit {

class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> open(const Host& host, std::string_view path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {data_, size_}; }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  void* map_ = nullptr;  // non-null when mmap'ed
  std::string owned_;    // the content when read through the Host
};

}  // namespace cudafit
