// Reading `doctor --json` reports: a document at a time from a stream, only the keys the fleet
// view uses (the rest skipped, but checked), every string interned.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>

#include "fleet/fleet.h"
#include "fleet/json_reader.h"
#include "report/run_stamp.h"
#include "util/strings.h"

namespace cudafit {
namespace {

constexpr int kSchema = 1;  // Machine::kSchema of the reports this reader understands

// The shortest text that reads back as v ("2", "1e+300"): a schema may be any JSON number.
std::string number_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}

// A string, or "" for null; any other value is skipped (a field of an unexpected type is
// unknown, not a broken report).
bool read_text(JsonReader& r, std::string_view& out) {
  out = {};
  switch (r.peek()) {
    case JsonReader::Type::kString:
      return r.read_string(out);
    default:
      return r.skip();
  }
}

bool read_flag(JsonReader& r, bool& out) {
  if (r.peek() == JsonReader::Type::kBool) return r.read_bool(out);
  return r.skip();
}

bool read_number(JsonReader& r, std::optional<double>& out) {
  if (r.peek() == JsonReader::Type::kNumber) {
    double v = 0;
    if (!r.read_number(v)) return false;
    out = v;
    return true;
  }
  return r.skip();
}

// Walks an array of objects, calling member(key) for each key of each object (member reads
// or skips the value) and done() after each object.
template <typename Member, typename Done>
bool each_object(JsonReader& r, Member&& member, Done&& done) {
  if (r.peek() != JsonReader::Type::kArray) return r.skip();
  if (!r.enter_array()) return false;
  while (r.next_element()) {
    if (r.peek() != JsonReader::Type::kObject) {
      if (!r.skip()) return false;
      continue;
    }
    if (!r.enter_object()) return false;
    std::string_view key;
    while (r.next_key(key))
      if (!member(key)) return false;
    if (r.failed()) return false;
    done();
  }
  return !r.failed();
}

template <typename Member>
bool each_member(JsonReader& r, Member&& member) {
  if (r.peek() != JsonReader::Type::kObject) return r.skip();
  if (!r.enter_object()) return false;
  std::string_view key;
  while (r.next_key(key))
    if (!member(key)) return false;
  return !r.failed();
}

struct Walk {
  Walk(JsonReader& reader, Interner& interner, FleetMachine& machine)
      : r(reader), strings(interner), m(machine) {}
  JsonReader& r;
  Interner& strings;
  FleetMachine& m;
  std::optional<double> schema, unix_time;
  std::string time_text;
  bool has_findings = false;
  std::string_view text;
  // A package's fields, kept until its name says whether it is torch.
  std::string pkg_name, pkg_version, pkg_cuda;

  Sym sym_of_next() {
    if (!read_text(r, text)) return 0;
    return strings.intern(text);
  }

  bool top(std::string_view key) {
    if (key == "schema") return read_number(r, schema);
    if (key == "run")
      return each_member(r, [&](std::string_view k) {
        if (k == "unix_time") return read_number(r, unix_time);
        if (k == "time") {
          if (!read_text(r, text)) return false;
          time_text = text;
          return true;
        }
        return r.skip();
      });
    if (key == "host")
      return each_member(r, [&](std::string_view k) {
        if (k == "hostname") return (m.host = sym_of_next(), !r.failed());
        if (k == "cpu_arch") return (m.cpu_arch = sym_of_next(), !r.failed());
        return r.skip();
      });
    if (key == "driver")
      return each_member(r, [&](std::string_view k) {
        if (k == "version") return (m.driver = sym_of_next(), !r.failed());
        if (k == "cuda") return (m.driver_cuda = sym_of_next(), !r.failed());
        if (k == "module_kind") return (m.driver_kind = sym_of_next(), !r.failed());
        if (k == "module_loaded") return read_flag(r, m.module_loaded);
        return r.skip();
      });
    if (key == "gpus") {
      FleetGpu g;
      return each_object(
          r,
          [&](std::string_view k) {
            if (k == "name") return (g.name = sym_of_next(), !r.failed());
            if (k == "compute_capability") return (g.cc = sym_of_next(), !r.failed());
            if (k == "pci_id") return (g.pci_id = sym_of_next(), !r.failed());
            if (k == "chip") return (g.chip = sym_of_next(), !r.failed());
            if (k == "visible") return read_flag(r, g.visible);
            return r.skip();
          },
          [&] {
            m.gpus.push_back(g);
            g = FleetGpu{};
          });
    }
    if (key == "environments") return environments();
    if (key == "findings") {
      has_findings = true;
      FleetFinding f;
      return each_object(
          r,
          [&](std::string_view k) {
            if (k == "id") return (f.id = sym_of_next(), !r.failed());
            if (k == "severity") {
              if (!read_text(r, text)) return false;
              f.severity = text == "error"     ? Severity::kError
                           : text == "warning" ? Severity::kWarning
                                               : Severity::kInfo;
              return true;
            }
            return r.skip();
          },
          [&] {
            if (f.id != 0) m.findings.push_back(f);
            f = FleetFinding{};
          });
    }
    return r.skip();
  }

  bool environments() {
    FleetEnv e;
    return each_object(
        r,
        [&](std::string_view k) {
          if (k == "path") return (e.path = sym_of_next(), !r.failed());
          if (k == "python") return (e.python = sym_of_next(), !r.failed());
          if (k == "active") return read_flag(r, e.active);
          if (k != "packages") return r.skip();
          bool cpu_only = false;
          return each_object(
              r,
              [&](std::string_view pk) {
                if (pk == "name" || pk == "version" || pk == "cuda") {
                  if (!read_text(r, text)) return false;
                  (pk == "name" ? pkg_name : pk == "version" ? pkg_version : pkg_cuda) = text;
                  return true;
                }
                if (pk == "cpu_only") return read_flag(r, cpu_only);
                return r.skip();
              },
              [&] {
                // The first torch of an environment is the one counted.
                if (pkg_name == "torch" && e.torch == 0) {
                  e.torch = strings.intern(pkg_version);
                  e.torch_cuda = strings.intern(pkg_cuda);
                  e.torch_cpu_only = cpu_only;
                }
                pkg_name.clear();
                pkg_version.clear();
                pkg_cuda.clear();
                cpu_only = false;
              });
        },
        [&] {
          m.envs.push_back(e);
          e = FleetEnv{};
        });
  }
};

// Reads one report from the start of `r`'s text. "" when it is a usable report, else why not
// (and r.failed() tells a JSON error from a report of the wrong kind).
std::string read_report(JsonReader& r, Interner& strings, FleetMachine& m) {
  if (r.peek() != JsonReader::Type::kObject) {
    r.skip();
    return "not a JSON object";
  }
  Walk w(r, strings, m);
  if (!r.enter_object()) return r.error();
  std::string_view key;
  while (r.next_key(key))
    if (!w.top(key)) break;
  if (r.failed()) return r.error();
  if (!w.schema) return "not a cudafit report (no \"schema\")";
  if (*w.schema != kSchema)
    return "a report of schema " + number_text(*w.schema) + " (this cudafit reads schema " +
           std::to_string(kSchema) + ")";
  if (!w.has_findings) return "a detect report, not a doctor report (no \"findings\")";
  if (w.unix_time && *w.unix_time >= 0 && *w.unix_time < 1e11)  // year 5138: not a time
    m.unix_ms = std::llround(*w.unix_time * 1000.0);
  else if (auto t = parse_utc_time(w.time_text))
    m.unix_ms = *t * 1000;
  return {};
}

}  // namespace

// The bytes of a stream not yet parsed. Grown without zero-filling (std::string::resize writes
// every new byte: a megabyte per file, ten thousand files).
class Buffer {
 public:
  std::size_t size() const { return size_; }
  const char* data() const { return data_.get(); }
  char operator[](std::size_t i) const { return data_[i]; }
  std::string_view view() const { return {data_.get(), size_}; }
  void clear() { size_ = 0; }
  void consume(std::size_t n) {
    if (n == 0) return;
    std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= n;
  }
  char* grow(std::size_t n) {
    if (size_ + n > capacity_) {
      const std::size_t cap = std::max(size_ + n, capacity_ * 2);
      std::unique_ptr<char[]> bigger(new char[cap]);  // NOLINT: uninitialized on purpose
      if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
      capacity_ = cap;
    }
    size_ += n;
    return data_.get() + size_ - n;
  }
  void shrink(std::size_t n) { size_ -= n; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

struct FleetReader::State {
  std::size_t max_document = 0;
  Buffer buffer;
  FleetData data;
  std::map<std::string, std::size_t> skipped_index;

  SkippedInput& skipped_for(const std::string& input) {
    auto [it, added] = skipped_index.try_emplace(input, data.skipped.size());
    if (added) data.skipped.push_back(SkippedInput{input, 0, {}});
    return data.skipped[it->second];
  }
};

FleetReader::FleetReader(std::size_t max_document_bytes) : st_(std::make_unique<State>()) {
  st_->max_document = max_document_bytes;
}
FleetReader::~FleetReader() = default;

std::size_t FleetReader::distinct_strings() const { return st_->data.strings.size(); }

void FleetReader::add_unreadable(const std::string& label, const std::string& why) {
  ++st_->data.inputs;
  ++st_->data.bad_inputs;
  st_->skipped_for(label).reasons.push_back(why);
}

void FleetReader::add_stream(std::istream& in, const std::string& label) {
  State& st = *st_;
  ++st.data.inputs;
  const Sym input = st.data.strings.intern(label);
  constexpr std::size_t kChunk = 1u << 20;
  Buffer& buf = st.buffer;
  buf.clear();
  std::size_t pos = 0;  // the first byte not yet consumed
  int line = 1;         // the line of buf[pos]
  bool eof = false;
  int documents = 0, good = 0;
  std::vector<std::string> reasons;

  auto fill = [&](std::size_t want) {
    if (eof) return;
    buf.consume(pos);  // drop what is read before growing
    pos = 0;
    char* to = buf.grow(want);
    in.read(to, static_cast<std::streamsize>(want));
    const auto got = static_cast<std::size_t>(in.gcount());
    buf.shrink(want - got);
    if (got < want) eof = true;
  };
  auto advance = [&](std::size_t to) {
    line += static_cast<int>(count_char(buf.view().substr(pos, to - pos), '\n'));
    pos = to;
  };
  // After a broken document: on to the next line that starts with '{' (reports, pretty or
  // one a line, start so; their inner lines are indented), reading on as needed.
  auto resync = [&] {
    while (true) {
      const std::size_t next = buf.view().find("\n{", pos);
      if (next != std::string::npos) return advance(next + 1);
      if (eof) return advance(buf.size());
      // Keep the last byte: it may be the '\n' of a "\n{" split across reads.
      if (buf.size() > pos + 1) advance(buf.size() - 1);
      fill(kChunk);
    }
  };

  while (true) {
    // Whitespace between documents.
    while (true) {
      while (pos < buf.size() &&
             (buf[pos] == ' ' || buf[pos] == '\n' || buf[pos] == '\r' || buf[pos] == '\t')) {
        if (buf[pos] == '\n') ++line;
        ++pos;
      }
      if (pos < buf.size() || eof) break;
      fill(kChunk);
    }
    if (pos >= buf.size()) break;
    ++documents;
    const int doc_line = line;
    std::string why;
    FleetMachine m;
    while (true) {
      JsonReader r(buf.view().substr(pos));
      m = FleetMachine{};
      why = read_report(r, st.data.strings, m);
      if (r.failed() && r.ran_out() && !eof) {
        if (buf.size() - pos > st.max_document) {
          why = "larger than " +
                (st.max_document >= (1u << 20) ? std::to_string(st.max_document >> 20) + " MiB"
                                               : std::to_string(st.max_document) + " bytes") +
                ": not a report";
          resync();
          break;
        }
        // Twice as much (a large report is re-read a few times at most), but never more than
        // one byte past the limit.
        const std::size_t have = buf.size() - pos;
        fill(std::min(std::max(kChunk, have), st.max_document + 1 - have));
        continue;
      }
      if (r.failed()) {
        why = r.ran_out() ? "truncated JSON: the input ends inside the report"
                          : "not JSON: " + why + " at byte " + std::to_string(r.offset() + 1);
        resync();
      } else {
        advance(pos + r.offset());
      }
      break;
    }
    if (!why.empty()) {
      reasons.push_back("line " + std::to_string(doc_line) + ": " + why);
      continue;
    }
    ++good;
    m.input = input;
    m.line = doc_line;
    st.data.machines.push_back(std::move(m));
  }
  if (documents == 0) reasons.push_back("empty: no report in it");
  if (!reasons.empty()) {
    SkippedInput& s = st.skipped_for(label);
    s.documents += documents;
    for (auto& r : reasons) s.reasons.push_back(std::move(r));
  }
  if (good == 0) ++st.data.bad_inputs;
}

std::string FleetData::name_of(const FleetMachine& m) const {
  if (m.host != 0) return strings.str(m.host);
  return strings.str(m.input) + ":" + std::to_string(m.line);
}

FleetData FleetReader::finish() {
  State& st = *st_;
  FleetData& d = st.data;
  // The newest report of each host; ties keep the first read.
  std::map<Sym, std::size_t> kept;
  std::vector<bool> drop(d.machines.size(), false);
  for (std::size_t i = 0; i < d.machines.size(); ++i) {
    const FleetMachine& m = d.machines[i];
    if (m.host == 0) continue;
    auto [it, added] = kept.try_emplace(m.host, i);
    if (added) continue;
    std::size_t older = i, newer = it->second;
    if (m.unix_ms > d.machines[it->second].unix_ms) std::swap(older, newer);
    it->second = newer;
    drop[older] = true;
    const FleetMachine& o = d.machines[older];
    const FleetMachine& n = d.machines[newer];
    st.skipped_for(d.strings.str(o.input))
        .reasons.push_back("line " + std::to_string(o.line) + ": host " + d.strings.str(o.host) +
                           " again (also " + d.strings.str(n.input) + ":" + std::to_string(n.line) +
                           "): kept the newer report");
  }
  std::vector<FleetMachine> machines;
  machines.reserve(d.machines.size());
  for (std::size_t i = 0; i < d.machines.size(); ++i)
    if (!drop[i]) machines.push_back(std::move(d.machines[i]));
  d.machines = std::move(machines);
  return std::move(d);
}

}  // namespace cudafit
