// The one place cudafit calls dlopen: NVML and libcuda, queried in a forked child process
// that writes its findings to a pipe as lines and is killed when the deadline passes.
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "probe/driver_lib.h"
#include "util/strings.h"

namespace cudafit {

namespace {

// NVML's and the CUDA driver API's C interface (nvml.h, cuda.h), declared here so that
// cudafit needs neither header nor library to build.
using NvmlReturn = int;
using NvmlDevice = void*;
struct NvmlMemory {
  unsigned long long total, free, used;
};
struct NvmlPciInfo {
  char bus_id_legacy[16];
  unsigned domain, bus, device, pci_device_id, pci_subsystem_id;
  char bus_id[32];
};
constexpr int kCuAttrCcMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kCuAttrCcMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

struct Nvml {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  const char* (*error_string)(NvmlReturn) = nullptr;
  NvmlReturn (*driver_version)(char*, unsigned) = nullptr;
  NvmlReturn (*cuda_version)(int*) = nullptr;
  NvmlReturn (*count)(unsigned*) = nullptr;
  NvmlReturn (*handle)(unsigned, NvmlDevice*) = nullptr;
  NvmlReturn (*name)(NvmlDevice, char*, unsigned) = nullptr;
  NvmlReturn (*uuid)(NvmlDevice, char*, unsigned) = nullptr;
  NvmlReturn (*cc)(NvmlDevice, int*, int*) = nullptr;
  NvmlReturn (*memory)(NvmlDevice, NvmlMemory*) = nullptr;
  NvmlReturn (*pci)(NvmlDevice, NvmlPciInfo*) = nullptr;
  NvmlReturn (*mig)(NvmlDevice, unsigned*, unsigned*) = nullptr;
};

struct Cuda {
  int (*driver_version)(int*) = nullptr;
  int (*init)(unsigned) = nullptr;
  int (*count)(int*) = nullptr;
  int (*get)(int*, int) = nullptr;
  int (*name)(char*, int, int) = nullptr;
  int (*attribute)(int*, int, int) = nullptr;
  int (*total_mem)(size_t*, int) = nullptr;
  int (*bus_id)(char*, int, int) = nullptr;
};

template <typename F>
void bind(void* lib, F& fn, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (void* sym = dlsym(lib, n)) {
      fn = reinterpret_cast<F>(sym);
      return;
    }
  }
}

// Field separators cannot appear inside a value.
std::string clean(const char* s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return out;
}

void emit(int fd, const std::string& line) {
  std::string l = line + "\n";
  const char* p = l.data();
  size_t left = l.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void query_nvml(int fd, const std::string& path) {
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    emit(fd, "error\tdlopen " + path + ": " + clean(dlerror()));
    return;
  }
  Nvml n;
  bind(lib, n.init, {"nvmlInit_v2", "nvmlInit"});
  bind(lib, n.shutdown, {"nvmlShutdown"});
  bind(lib, n.error_string, {"nvmlErrorString"});
  bind(lib, n.driver_version, {"nvmlSystemGetDriverVersion"});
  bind(lib, n.cuda_version,
       {"nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"});
  bind(lib, n.count, {"nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"});
  bind(lib, n.handle, {"nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"});
  bind(lib, n.name, {"nvmlDeviceGetName"});
  bind(lib, n.uuid, {"nvmlDeviceGetUUID"});
  bind(lib, n.cc, {"nvmlDeviceGetCudaComputeCapability"});
  bind(lib, n.memory, {"nvmlDeviceGetMemoryInfo"});
  bind(lib, n.pci, {"nvmlDeviceGetPciInfo_v3"});
  bind(lib, n.mig, {"nvmlDeviceGetMigMode"});
  if (n.init == nullptr) {
    emit(fd, "error\t" + path + " has no nvmlInit");
    return;
  }
  NvmlReturn rc = n.init();
  if (rc != 0) {
    std::string why = n.error_string ? clean(n.error_string(rc)) : "error " + std::to_string(rc);
    emit(fd, "error\tnvmlInit: " + why);
    return;
  }
  emit(fd, "nvml\tloaded");
  char buf[256];
  if (n.driver_version && n.driver_version(buf, sizeof buf) == 0) emit(fd, "driver\t" + clean(buf));
  int cuda = 0;
  if (n.cuda_version && n.cuda_version(&cuda) == 0) emit(fd, "nvml_cuda\t" + std::to_string(cuda));
  unsigned count = 0;
  if (n.count && n.handle && n.count(&count) == 0) {
    for (unsigned i = 0; i < count && i < 1024; ++i) {
      NvmlDevice dev = nullptr;
      if (n.handle(i, &dev) != 0) continue;
      std::string name, uuid, bus, pci_id, major = "-1", minor = "-1", mem = "0", mig = "-1";
      if (n.name && n.name(dev, buf, sizeof buf) == 0) name = clean(buf);
      if (n.uuid && n.uuid(dev, buf, sizeof buf) == 0) uuid = clean(buf);
      NvmlPciInfo pci{};
      if (n.pci && n.pci(dev, &pci) == 0) {
        pci.bus_id[sizeof pci.bus_id - 1] = '\0';
        bus = clean(pci.bus_id);
        pci_id = std::to_string(pci.pci_device_id >> 16);
      }
      int ma = 0, mi = 0;
      if (n.cc && n.cc(dev, &ma, &mi) == 0) major = std::to_string(ma), minor = std::to_string(mi);
      NvmlMemory m{};
      if (n.memory && n.memory(dev, &m) == 0) mem = std::to_string(m.total >> 20);
      unsigned cur = 0, pending = 0;
      if (n.mig && n.mig(dev, &cur, &pending) == 0) mig = cur ? "1" : "0";
      emit(fd, "gpu\t" + name + "\t" + uuid + "\t" + bus + "\t" + pci_id + "\t" + major + "\t" +
                   minor + "\t" + mem + "\t" + mig);
    }
  }
  if (n.shutdown) n.shutdown();
}

void query_cuda(int fd, const std::string& path, bool with_devices) {
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    emit(fd, "error\tdlopen " + path + ": " + clean(dlerror()));
    return;
  }
  Cuda c;
  bind(lib, c.driver_version, {"cuDriverGetVersion"});
  bind(lib, c.init, {"cuInit"});
  bind(lib, c.count, {"cuDeviceGetCount"});
  bind(lib, c.get, {"cuDeviceGet"});
  bind(lib, c.name, {"cuDeviceGetName"});
  bind(lib, c.attribute, {"cuDeviceGetAttribute"});
  bind(lib, c.total_mem, {"cuDeviceTotalMem_v2", "cuDeviceTotalMem"});
  bind(lib, c.bus_id, {"cuDeviceGetPCIBusId"});
  int version = 0;
  if (c.driver_version == nullptr) {
    emit(fd, "error\t" + path + " has no cuDriverGetVersion");
    return;
  }
  int rc = c.driver_version(&version);
  if (rc != 0) {
    emit(fd, "error\tcuDriverGetVersion returned " + std::to_string(rc));
    return;
  }
  emit(fd, "cuda\t" + std::to_string(version));
  if (!with_devices || !c.init || !c.count || !c.get) return;
  rc = c.init(0);
  if (rc != 0) {
    emit(fd, "error\tcuInit returned " + std::to_string(rc));
    return;
  }
  int count = 0;
  if (c.count(&count) != 0) return;
  for (int i = 0; i < count && i < 1024; ++i) {
    int dev = 0;
    if (c.get(&dev, i) != 0) continue;
    char buf[256] = {};
    std::string name, bus, major = "-1", minor = "-1", mem = "0";
    if (c.name && c.name(buf, sizeof buf - 1, dev) == 0) name = clean(buf);
    if (c.bus_id && c.bus_id(buf, sizeof buf - 1, dev) == 0) bus = clean(buf);
    int v = 0;
    if (c.attribute && c.attribute(&v, kCuAttrCcMajor, dev) == 0) major = std::to_string(v);
    if (c.attribute && c.attribute(&v, kCuAttrCcMinor, dev) == 0) minor = std::to_string(v);
    size_t bytes = 0;
    if (c.total_mem && c.total_mem(&bytes, dev) == 0) mem = std::to_string(bytes >> 20);
    emit(fd, "gpu\t" + name + "\t\t" + bus + "\t\t" + major + "\t" + minor + "\t" + mem + "\t-1");
  }
}

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int to_int(std::string_view s, int fallback) {
  auto v = parse_uint(s);
  return v && *v < (1u << 30) ? static_cast<int>(*v) : fallback;
}

void parse_line(DriverLibReport& r, std::string_view line, bool& have_nvml_gpus) {
  auto f = split(line, '\t');
  if (f.size() < 2) return;
  if (f[0] == "error") r.errors.emplace_back(f[1]);
  if (f[0] == "nvml") r.nvml_loaded = true;
  if (f[0] == "driver") r.driver_version = std::string(f[1]);
  if (f[0] == "nvml_cuda" && r.cuda_driver_version == 0) {
    r.cuda_driver_version = to_int(f[1], 0);
    r.cuda_version_from = "nvmlSystemGetCudaDriverVersion";
  }
  if (f[0] == "cuda") {
    r.cuda_loaded = true;
    r.cuda_driver_version = to_int(f[1], 0);
    r.cuda_version_from = "cuDriverGetVersion";
  }
  if (f[0] == "gpu" && f.size() >= 9) {
    bool from_nvml = !f[2].empty() || !f[4].empty();
    if (from_nvml)
      have_nvml_gpus = true;
    else if (have_nvml_gpus)
      return;  // libcuda's list only when NVML gave none
    DriverLibGpu g;
    g.name = std::string(f[1]);
    g.uuid = std::string(f[2]);
    g.pci_bus = std::string(f[3]);
    g.pci_device_id = static_cast<unsigned>(to_int(f[4], 0));
    g.cc_major = f[5] == "-1" ? -1 : to_int(f[5], -1);
    g.cc_minor = f[6] == "-1" ? -1 : to_int(f[6], -1);
    g.memory_mib = static_cast<unsigned long long>(to_int(f[7], 0));
    g.mig_mode = f[8] == "-1" ? -1 : to_int(f[8], -1);
    r.gpus.push_back(std::move(g));
  }
}

}  // namespace

DriverLibReport query_driver_libraries(const std::string& nvml_path, const std::string& cuda_path,
                                       int timeout_ms, bool cuda_init) {
  DriverLibReport report;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    report.errors.push_back(std::string("pipe: ") + std::strerror(errno));
    return report;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    report.errors.push_back(std::string("fork: ") + std::strerror(errno));
    return report;
  }
  if (pid == 0) {
    close(fds[0]);
    if (!nvml_path.empty()) query_nvml(fds[1], nvml_path);
    if (!cuda_path.empty()) query_cuda(fds[1], cuda_path, cuda_init);
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  long long deadline = now_ms() + timeout_ms;
  char buf[4096];
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) {
      report.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (out.size() < (1u << 20)) out.append(buf, static_cast<size_t>(got));
  }
  close(fds[0]);
  if (report.timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool have_nvml_gpus = false;
  for (std::string_view line : split_lines(out)) parse_line(report, line, have_nvml_gpus);
  if (report.timed_out)
    report.errors.push_back("the driver libraries did not answer within " +
                            std::to_string(timeout_ms) + " ms");
  else if (WIFSIGNALED(status))
    report.errors.push_back("the driver libraries crashed (signal " +
                            std::to_string(WTERMSIG(status)) + ")");
  else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)  // a crash handler turned it into exit
    report.errors.push_back("the driver libraries crashed (exit status " +
                            std::to_string(WEXITSTATUS(status)) + ")");
  return report;
}

}  // namespace cudafit
