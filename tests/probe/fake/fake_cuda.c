/* A fake libcuda.so.1 for the probe tests. Behaviour from the environment:
 *   FAKE_CUDA_VERSION  cuDriverGetVersion (13000)
 *   FAKE_CUDA_CRASH    cuDriverGetVersion crashes the process
 *   FAKE_CUDA_HANG     cuDriverGetVersion never returns
 *   FAKE_CUDA_GPUS     "name|busid|cc_major|cc_minor|mem_mib;..." after cuInit */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char* env_or(const char* name, const char* fallback) {
  const char* v = getenv(name);
  return v ? v : fallback;
}

static int gpu_field(int index, int field, char* out, size_t size) {
  const char* s = env_or("FAKE_CUDA_GPUS", "");
  int i = 0;
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

int cuDriverGetVersion(int* v) {
  if (getenv("FAKE_CUDA_CRASH")) raise(SIGSEGV);
  if (getenv("FAKE_CUDA_HANG"))
    for (;;) pause();
  *v = atoi(env_or("FAKE_CUDA_VERSION", "13000"));
  return 0;
}
int cuInit(unsigned flags) { return (int)flags; }
int cuDeviceGetCount(int* count) {
  const char* s = env_or("FAKE_CUDA_GPUS", "");
  int n = *s ? 1 : 0;
  for (; *s; ++s)
    if (*s == ';') ++n;
  *count = n;
  return 0;
}
int cuDeviceGet(int* dev, int ordinal) {
  *dev = ordinal;
  return 0;
}
int cuDeviceGetName(char* name, int len, int dev) {
  return gpu_field(dev, 0, name, (size_t)len) ? 0 : 101;
}
int cuDeviceGetPCIBusId(char* bus, int len, int dev) {
  return gpu_field(dev, 1, bus, (size_t)len) ? 0 : 101;
}
int cuDeviceGetAttribute(int* v, int attr, int dev) {
  char buf[16];
  if (!gpu_field(dev, attr == 75 ? 2 : 3, buf, sizeof buf)) return 1;
  *v = atoi(buf);
  return 0;
}
int cuDeviceTotalMem_v2(size_t* bytes, int dev) {
  char buf[32];
  if (!gpu_field(dev, 4, buf, sizeof buf)) return 1;
  *bytes = (size_t)strtoull(buf, NULL, 10) << 20;
  return 0;
}
