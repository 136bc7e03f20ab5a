#include "util/side_thread.h"

#include <pthread.h>
#include <sched.h>

namespace cudafit {

struct SideThread::State {
  pthread_t thread{};
  bool running = false;
  std::function<void()> work;
};

SideThread::SideThread() : state_(std::make_unique<State>()) {}
SideThread::SideThread(SideThread&&) noexcept = default;
SideThread& SideThread::operator=(SideThread&& other) noexcept {
  if (this != &other) {
    join();
    state_ = std::move(other.state_);
  }
  return *this;
}
SideThread::~SideThread() { join(); }

bool SideThread::running() const { return state_ && state_->running; }

namespace {

// The CPUs the caller may use other than the one it runs on now (none: false).
bool other_cpus(cpu_set_t& cpus) {
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0) return false;
  const int here = sched_getcpu();
  if (here >= 0 && here < CPU_SETSIZE) CPU_CLR(here, &cpus);
  return CPU_COUNT(&cpus) > 0;
}

}  // namespace

bool SideThread::available() {
  cpu_set_t cpus;
  return other_cpus(cpus);
}

bool SideThread::start(std::function<void()> work) {
  if (!state_ || state_->running) return false;
  cpu_set_t cpus;
  if (!other_cpus(cpus)) return false;
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  bool ok = pthread_attr_setaffinity_np(&attr, sizeof cpus, &cpus) == 0;
  state_->work = std::move(work);
  auto run = [](void* arg) -> void* {
    static_cast<State*>(arg)->work();
    return nullptr;
  };
  ok = ok && pthread_create(&state_->thread, &attr, run, state_.get()) == 0;
  pthread_attr_destroy(&attr);
  state_->running = ok;
  if (!ok) state_->work = nullptr;
  return ok;
}

void SideThread::join() {
  if (!running()) return;
  pthread_join(state_->thread, nullptr);
  state_->running = false;
  state_->work = nullptr;
}

}  // namespace cudafit
