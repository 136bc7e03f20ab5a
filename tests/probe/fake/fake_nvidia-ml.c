/* A fake libnvidia-ml.so.1 for the probe tests. Behaviour from the environment:
 *   FAKE_DRIVER_VERSION   nvmlSystemGetDriverVersion ("999.1.2")
 *   FAKE_CUDA_VERSION     nvmlSystemGetCudaDriverVersion_v2 (13000)
 *   FAKE_NVML_GPUS        "name|uuid|busid|pci_device_id_hex|cc_major|cc_minor|mem_mib|mig;..."
 *   FAKE_NVML_INIT_ERROR  nvmlInit_v2 returns this code (18 = library/driver mismatch)
 *   FAKE_NVML_HANG        nvmlInit_v2 never returns */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char legacy[16];
  unsigned domain, bus, device, pci_device_id, subsystem;
  char bus_id[32];
} pci_info;
typedef struct {
  unsigned long long total, free, used;
} memory_info;

static const char* env_or(const char* name, const char* fallback) {
  const char* v = getenv(name);
  return v ? v : fallback;
}

/* Field `field` (0-based, '|'-separated) of GPU `index` (';'-separated) into out. */
static int gpu_field(unsigned index, int field, char* out, size_t size) {
  const char* s = env_or("FAKE_NVML_GPUS", "");
  unsigned i = 0;
  while (i < index && *s) {
    if (*s++ == ';') ++i;
  }
  if (i != index || !*s) return 0;
  for (int f = 0; f < field; ++f) {
    while (*s && *s != '|' && *s != ';') ++s;
    if (*s != '|') return 0;
    ++s;
  }
  size_t n = 0;
  while (s[n] && s[n] != '|' && s[n] != ';') ++n;
  if (n >= size) n = size - 1;
  memcpy(out, s, n);
  out[n] = '\0';
  return 1;
}

int nvmlInit_v2(void) {
  if (getenv("FAKE_NVML_HANG"))
    for (;;) pause();
  return atoi(env_or("FAKE_NVML_INIT_ERROR", "0"));
}
int nvmlShutdown(void) { return 0; }
const char* nvmlErrorString(int rc) {
  return rc == 18 ? "Driver/library version mismatch" : "Unknown Error";
}
int nvmlSystemGetDriverVersion(char* out, unsigned len) {
  snprintf(out, len, "%s", env_or("FAKE_DRIVER_VERSION", "999.1.2"));
  return 0;
}
int nvmlSystemGetCudaDriverVersion_v2(int* v) {
  *v = atoi(env_or("FAKE_CUDA_VERSION", "13000"));
  return 0;
}
int nvmlDeviceGetCount_v2(unsigned* count) {
  const char* s = env_or("FAKE_NVML_GPUS", "");
  unsigned n = *s ? 1 : 0;
  for (; *s; ++s)
    if (*s == ';') ++n;
  *count = n;
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** dev) {
  *dev = (void*)(size_t)(index + 1);
  return 0;
}
static unsigned index_of(void* dev) { return (unsigned)((size_t)dev - 1); }
int nvmlDeviceGetName(void* dev, char* out, unsigned len) {
  return gpu_field(index_of(dev), 0, out, len) ? 0 : 2;
}
int nvmlDeviceGetUUID(void* dev, char* out, unsigned len) {
  return gpu_field(index_of(dev), 1, out, len) ? 0 : 2;
}
int nvmlDeviceGetPciInfo_v3(void* dev, pci_info* info) {
  char buf[64];
  memset(info, 0, sizeof *info);
  if (!gpu_field(index_of(dev), 2, info->bus_id, sizeof info->bus_id)) return 2;
  if (gpu_field(index_of(dev), 3, buf, sizeof buf))
    info->pci_device_id = (unsigned)(strtoul(buf, NULL, 16) << 16) | 0x10deu;
  return 0;
}
int nvmlDeviceGetCudaComputeCapability(void* dev, int* major, int* minor) {
  char a[16], b[16];
  if (!gpu_field(index_of(dev), 4, a, sizeof a) || !gpu_field(index_of(dev), 5, b, sizeof b))
    return 2;
  *major = atoi(a);
  *minor = atoi(b);
  return 0;
}
int nvmlDeviceGetMemoryInfo(void* dev, memory_info* m) {
  char buf[32];
  if (!gpu_field(index_of(dev), 6, buf, sizeof buf)) return 2;
  m->total = strtoull(buf, NULL, 10) << 20;
  m->free = m->total;
  m->used = 0;
  return 0;
}
int nvmlDeviceGetMigMode(void* dev, unsigned* current, unsigned* pending) {
  char buf[8];
  if (!gpu_field(index_of(dev), 7, buf, sizeof buf)) return 3; /* NOT_SUPPORTED */
  *current = *pending = (unsigned)atoi(buf);
  return 0;
}
