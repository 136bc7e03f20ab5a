// SideThread (src/util/side_thread.cpp): the work runs, on a CPU other than its caller's,
// and nothing is started where the caller may use one CPU only.
#include "util/side_thread.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>

namespace cudafit {
namespace {

// The CPUs the calling thread may use.
cpu_set_t allowed() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  return set;
}

TEST(SideThread, RunsBesideItsCallerOrNotAtAll) {
  const cpu_set_t mine = allowed();
  if (CPU_COUNT(&mine) < 2) GTEST_SKIP() << "this machine lets the test use one CPU";
  // Pinned to one CPU, the caller gets no thread: it would only take turns with it.
  const int first = [&] {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &mine)) return c;
    return -1;
  }();
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  EXPECT_FALSE(SideThread::available());
  SideThread alone;
  bool ran = false;
  EXPECT_FALSE(alone.start([&] { ran = true; }));
  EXPECT_FALSE(alone.running());
  alone.join();
  EXPECT_FALSE(ran);
  // Free again: the thread may use every CPU but the one its caller was on.
  ASSERT_EQ(sched_setaffinity(0, sizeof mine, &mine), 0);
  EXPECT_TRUE(SideThread::available());
  std::atomic<int> runs{0};
  cpu_set_t seen;
  CPU_ZERO(&seen);
  SideThread side;
  ASSERT_TRUE(side.start([&] {
    ++runs;
    seen = allowed();
  }));
  EXPECT_TRUE(side.running());
  EXPECT_FALSE(side.start([&] { ++runs; }));  // one piece of work at a time
  side.join();
  EXPECT_FALSE(side.running());
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(CPU_COUNT(&seen), CPU_COUNT(&mine) - 1);
  // Joined by its destructor, and by a move over a running one.
  {
    SideThread a;
    ASSERT_TRUE(a.start([&] { ++runs; }));
    SideThread b;
    ASSERT_TRUE(b.start([&] { ++runs; }));
    a = std::move(b);  // a's work joined first
    EXPECT_GE(runs.load(), 2);
  }
  EXPECT_EQ(runs.load(), 3);
}

}  // namespace
}  // namespace cudafit
