// mimalloc-bench's mleak pattern: GENERATIONS x THREADS short-lived threads; each callocs one
// 128 B block into a shared 1000-slot array and frees the block it displaces (allocated by an
// earlier, now exited thread). The live set never exceeds 1000 blocks.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {
std::atomic<void*> g_slots[1000];
}

int main(int argc, char** argv) {
  const int generations = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 10;
  unsigned seed = 1;
  for (int g = 0; g < generations; ++g) {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      seed = seed * 1103515245u + 12345u;
      const unsigned slot = (seed >> 8) % 1000;
      ts.emplace_back([slot] { std::free(g_slots[slot].exchange(std::calloc(1, 128))); });
    }
    for (auto& t : ts) t.join();
  }
  for (auto& s : g_slots) std::free(s.exchange(nullptr));
  return 0;
}
