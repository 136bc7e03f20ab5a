// SideThread: work started on a second thread that runs beside its caller from its first
// instruction, on another CPU.
//
// A thread left to the scheduler may be queued on its parent's CPU and run only once the
// parent waits for it (seen on a two-CPU VM in five doctor runs of twelve), which gains
// nothing; so it is placed, before it starts, on the CPUs this process may use other than the
// caller's. With only one such CPU allowed, nothing is started and the caller does the work.
#pragma once

#include <functional>
#include <memory>

namespace cudafit {

class SideThread {
 public:
  SideThread();
  SideThread(SideThread&&) noexcept;
  SideThread& operator=(SideThread&&) noexcept;
  ~SideThread();  // joins

  // Whether start() has a CPU to put a thread on: the caller may use another than its own.
  static bool available();
  // Starts `work`; false (nothing started) on a single CPU or when no thread can be made.
  bool start(std::function<void()> work);
  // Waits for the work to end; nothing when none was started.
  void join();
  bool running() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cudafit
