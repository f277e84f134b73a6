// lockstep.h — worker threads that run the fuzzer's operations one at a time, in program order.
//
// The main thread hands one task to one worker and waits until it is done, so exactly one
// thread touches the heap at any moment: a run is as deterministic as a single-threaded one,
// yet every operation executes on the thread the program names (a block allocated by one
// thread and freed by another takes the allocator's cross-thread path; a worker that exits
// leaves its live blocks in an abandoned heap). The hand-over uses futexes, not malloc.
#pragma once

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace fuzz {

// A borrowed callable: no allocation, valid while the caller waits.
class TaskRef {
 public:
  TaskRef() = default;
  template <typename F>
  explicit TaskRef(F& f) : obj_(&f), call_([](void* o) { (*static_cast<F*>(o))(); }) {}
  void operator()() const { call_(obj_); }

 private:
  void* obj_ = nullptr;
  void (*call_)(void*) = nullptr;
};

class Worker {
 public:
  void start() {
    state_.store(kIdle);
    if (pthread_create(&thread_, nullptr, &Worker::main, this) != 0) {
      std::fputs("alloclab-fuzz: pthread_create failed\n", stderr);
      std::abort();
    }
  }
  // Runs f on this worker and returns when it has finished.
  template <typename F>
  void run(F& f) {
    task_ = TaskRef(f);
    post(kTask);
    wait_change(kTask);
  }
  // The thread exits (with whatever it still owns) and is joined.
  void stop() {
    post(kExit);
    pthread_join(thread_, nullptr);
  }

 private:
  enum : std::uint32_t { kIdle, kTask, kDone, kExit };

  static void* main(void* self) {
    auto* w = static_cast<Worker*>(self);
    for (;;) {
      std::uint32_t s = w->state_.load(std::memory_order_acquire);
      while (s == kIdle || s == kDone) s = w->wait_change(s);
      if (s == kExit) return nullptr;
      w->task_();
      w->post(kDone);
    }
  }
  void post(std::uint32_t s) {
    state_.store(s, std::memory_order_release);
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
  // Returns the state once it differs from s: spins briefly (the other side usually answers
  // within microseconds), then sleeps on the futex.
  std::uint32_t wait_change(std::uint32_t s) {
    for (int i = 0; i < 2000; ++i) {
      const std::uint32_t now = state_.load(std::memory_order_acquire);
      if (now != s) return now;
      __builtin_ia32_pause();
    }
    for (;;) {
      const std::uint32_t now = state_.load(std::memory_order_acquire);
      if (now != s) return now;
      syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, s, nullptr, nullptr, 0);
    }
  }

  pthread_t thread_{};
  std::atomic<std::uint32_t> state_{kIdle};
  TaskRef task_;
};

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

}  // namespace fuzz
