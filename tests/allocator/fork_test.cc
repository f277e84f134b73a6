// fork: fork() from the main thread while 4 other threads are allocating and freeing; the
// child (which has only the forking thread) must have a fully usable allocator: it frees
// blocks the parent's threads allocated before the fork, mallocs/callocs/frees a lot
// (large blocks too), even starts a thread, and exits 0.
#include <gtest/gtest.h>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace alloclab::test;

namespace {

constexpr int kWorkers = 4;
constexpr int kHandoff = 64;

struct Handoff {
  std::atomic<void*> p[kHandoff];
  std::atomic<std::size_t> size[kHandoff];
  std::atomic<bool> ready{false};
};

Handoff g_handoff[kWorkers];
std::atomic<bool> g_stop{false};

void worker(int id) {
  Rng rng(100 + id);
  // Blocks handed to the child: allocated by this thread before the fork, never freed here.
  for (int i = 0; i < kHandoff; ++i) {
    std::size_t s = i % 16 == 0 ? 200000 : rng.size_log(8, 8192);
    void* p = malloc(s);
    if (p) fill_pattern(p, s, block_seed(p, s));
    g_handoff[id].size[i].store(s);
    g_handoff[id].p[i].store(p);
  }
  g_handoff[id].ready.store(true);
  std::vector<void*> slots(256, nullptr);
  while (!g_stop.load(std::memory_order_relaxed)) {
    for (int i = 0; i < 1000; ++i) {
      std::size_t k = rng.below(slots.size());
      free(slots[k]);
      std::size_t s = rng.below(200) == 0 ? rng.size_log(65536, 1 << 20) : rng.size_log(8, 4096);
      slots[k] = malloc(s);
      if (slots[k]) memset(slots[k], static_cast<int>(s), s < 64 ? s : 64);
    }
    // Leave CPU to the forking thread and the child on a 2-core machine.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (void* p : slots) free(p);
}

// Runs in the child. Returns 0 on success, a code naming the failed step otherwise.
int child_work() {
  // 1. Free the blocks the parent's threads allocated before the fork.
  for (auto& h : g_handoff)
    for (int i = 0; i < kHandoff; ++i) {
      void* p = h.p[i].load();
      std::size_t s = h.size[i].load();
      if (!p) return 10;
      if (check_pattern(p, s, block_seed(p, s)) != SIZE_MAX) return 11;
      free(p);
    }
  // 2. Lots of malloc/calloc/free, small and large.
  Rng rng(getpid());
  std::vector<void*> v(1000, nullptr);
  std::vector<std::size_t> vs(1000, 0);
  for (int i = 0; i < 50000; ++i) {
    std::size_t k = rng.below(v.size());
    if (v[k]) {
      if (check_pattern(v[k], vs[k], block_seed(v[k], vs[k])) != SIZE_MAX) return 20;
      free(v[k]);
    }
    std::size_t s = rng.below(1000) == 0 ? rng.size_log(65536, 4 << 20) : rng.size_log(1, 8192);
    if (rng.below(4) == 0) {
      v[k] = calloc(1, s);
      if (!v[k]) return 21;
      if (first_nonzero(v[k], s) != SIZE_MAX) return 22;
    } else {
      v[k] = malloc(s);
      if (!v[k]) return 23;
    }
    vs[k] = s;
    fill_pattern(v[k], s, block_seed(v[k], s));
  }
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (v[k] && check_pattern(v[k], vs[k], block_seed(v[k], vs[k])) != SIZE_MAX) return 24;
    free(v[k]);
  }
  void* big = malloc(64 << 20);
  if (!big) return 30;
  memset(big, 1, 64 << 20);
  free(big);
  void* al = nullptr;
  if (posix_memalign(&al, 1 << 20, 3 << 20) != 0 || !al) return 31;
  memset(al, 2, 3 << 20);
  free(al);
  // 3. A thread in the child allocates, and frees blocks of the child's main thread.
  std::vector<void*> mine;
  for (int i = 0; i < 1000; ++i) mine.push_back(malloc(64 + i));
  std::atomic<int> trc{0};
  std::thread t([&] {
    for (void* p : mine) free(p);
    for (int i = 0; i < 50000; ++i) {
      void* p = malloc(static_cast<std::size_t>(16 + i % 3000));
      if (!p) {
        trc = 40;
        return;
      }
      memset(p, 3, 16);
      free(p);
    }
  });
  t.join();
  return trc.load();
}

}  // namespace

TEST(Fork, ChildOfMultithreadedParentIsUsable) {
  g_stop = false;
  std::vector<std::thread> ws;
  for (int i = 0; i < kWorkers; ++i) ws.emplace_back(worker, i);
  for (auto& h : g_handoff)
    while (!h.ready.load()) std::this_thread::yield();
  const int forks = static_cast<int>(6 * scale());
  for (int f = 0; f < forks; ++f) {
    // Let the workers run for a bit so the fork lands in the middle of their work.
    for (int i = 0; i < 20000; ++i) free(malloc(static_cast<std::size_t>(16 + i % 500)));
    fflush(nullptr);
    pid_t pid = fork();
    ASSERT_NE(pid, -1) << "fork failed";
    if (pid == 0) {
      alarm(60);  // a deadlocked child is killed by SIGALRM and reported below
      _exit(child_work());
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
      ADD_FAILURE() << "fork " << f << ": child killed by signal " << WTERMSIG(status)
                    << (WTERMSIG(status) == SIGALRM ? " (deadlock: still running after 60 s)" : "");
    } else {
      ASSERT_TRUE(WIFEXITED(status));
      EXPECT_EQ(WEXITSTATUS(status), 0) << "fork " << f << ": child failed at step code " << WEXITSTATUS(status)
                                        << " (10/11: freeing parent threads' blocks, 2x: malloc/calloc churn, "
                                           "3x: large/aligned, 40: thread in child)";
    }
  }
  g_stop = true;
  for (auto& w : ws) w.join();
  // The parent's handoff blocks are still live here (only the children freed their copies).
  for (auto& h : g_handoff)
    for (int i = 0; i < kHandoff; ++i) {
      void* p = h.p[i].load();
      std::size_t s = h.size[i].load();
      EXPECT_EQ(check_pattern(p, s, block_seed(p, s)), SIZE_MAX);
      free(p);
      h.p[i] = nullptr;
    }
}

TEST(Fork, ForkFromWorkerThread) {
  // fork from a thread other than the main one, while the main thread allocates.
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    while (!stop.load()) {
      void* p = malloc(100);
      free(p);
      void* q = malloc(20000);
      free(q);
    }
  });
  for (int f = 0; f < 4; ++f) {
    int status = -1;
    std::thread t([&] {
      pid_t pid = fork();
      if (pid == 0) {
        alarm(60);
        std::vector<void*> v;
        for (int i = 0; i < 100000; ++i) {
          v.push_back(malloc(static_cast<std::size_t>(1 + i % 5000)));
          if (!v.back()) _exit(2);
          if (v.size() > 500) {
            for (void* p : v) free(p);
            v.clear();
          }
        }
        for (void* p : v) free(p);
        _exit(0);
      }
      if (pid > 0) waitpid(pid, &status, 0);
    });
    t.join();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "child forked from a worker thread: status " << status;
  }
  stop = true;
  busy.join();
}

TEST(Fork, ForkWhileThreadsHoldGlobalLocks) {
  // Other threads keep hitting the allocator's process-wide state while we fork: huge blocks
  // (segment map / release / cache), threads that start and exit with live blocks (heap
  // registry, abandoned segments). Without correct pthread_atfork handling a lock copied
  // while held deadlocks the child (killed by its alarm) or leaves it inconsistent.
  std::atomic<bool> stop{false};
  std::vector<std::thread> ws;
  std::atomic<void*> leftover[64] = {};
  for (int w = 0; w < 2; ++w)
    ws.emplace_back([&, w] {
      Rng rng(500 + w);
      while (!stop.load(std::memory_order_relaxed)) {
        // Mostly sizes the segment cache serves (no syscall: the loop lives in the
        // allocator's locked sections), sometimes a fresh mapping.
        std::size_t s = rng.below(8) == 0 ? rng.size_log(70000, 6 << 20) : (w + 1) << 19;
        auto* p = static_cast<char*>(malloc(s));
        if (p) p[0] = 1;
        free(p);
      }
    });
  ws.emplace_back([&] {
    int i = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      std::thread t([&, i] {
        std::vector<void*> v;
        for (int k = 0; k < 300; ++k) v.push_back(malloc(static_cast<std::size_t>(16 + k * 7)));
        // Leave one block live past the thread's exit (its page is abandoned).
        void* old = leftover[i % 64].exchange(v.back());
        v.pop_back();
        free(old);
        for (void* p : v) free(p);
      });
      t.join();
      ++i;
    }
  });
  const int forks = static_cast<int>(150 * scale());
  int failed = 0;
  for (int f = 0; f < forks && failed < 3; ++f) {
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    pid_t pid = fork();
    ASSERT_NE(pid, -1) << "fork failed";
    if (pid == 0) {
      alarm(30);
      for (int i = 0; i < 8; ++i) {  // segment map/release in the child
        auto* p = static_cast<char*>(malloc(static_cast<std::size_t>(1 + i) << 20));
        if (!p) _exit(2);
        p[0] = 1;
        free(p);
      }
      int rc = 0;
      std::thread t([&] {  // heap registry and a thread exit in the child
        void* p = calloc(100, 100);
        if (!p || first_nonzero(p, 10000) != SIZE_MAX) rc = 3;
        free(p);
      });
      t.join();
      _exit(rc);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      ++failed;
      ADD_FAILURE() << "fork " << f << ": child "
                    << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) +
                                                  (WTERMSIG(status) == SIGALRM ? " (deadlocked: alive after 30 s)" : "")
                                            : "exited with " + std::to_string(WEXITSTATUS(status)));
    }
  }
  stop = true;
  for (auto& w : ws) w.join();
  for (auto& l : leftover) free(l.load());
}
