// churn_probe: runs one churn pattern through the plain C API, then prints the preloaded
// alloclab library's alloclab_stats() JSON (found with dlsym) as the only line on stdout.
// Spawned by option_effects_test with LD_PRELOAD=<a variant's -stats library>.
//
//   churn_probe pingpong    N SIZE          N x (malloc SIZE, write, free)
//   churn_probe pingpong-held N SIZE     same, with one SIZE block held live throughout (its
//                                         page never empties, so it is never retired)
//   churn_probe progressive N               N x 1 KiB, then N x 2 KiB live, then free all
//   churn_probe multipage   PAGES CYCLES SIZE  PAGES pages' worth of SIZE blocks, free all, repeat
//   churn_probe listswap    ROUNDS          2 KiB: alloc 50, free every other, alloc 25, free all
//   churn_probe interleaved STEPS           1024 live slots of 16-128 B; each step frees a random
//                                         slot and refills it (the runner's interleaved)
//
// Exit codes: 0 ok, 2 usage, 3 no alloclab library loaded, 4 allocation failed.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

volatile unsigned char g_sink;

void* xmalloc(std::size_t n) {
  void* p = malloc(n);
  if (!p) {
    std::fprintf(stderr, "churn_probe: malloc(%zu) failed\n", n);
    std::exit(4);
  }
  static_cast<unsigned char*>(p)[0] = static_cast<unsigned char>(n);
  static_cast<unsigned char*>(p)[n - 1] = static_cast<unsigned char>(n);
  return p;
}

void pingpong(long n, std::size_t size) {
  for (long i = 0; i < n; ++i) {
    auto* p = static_cast<unsigned char*>(xmalloc(size));
    g_sink = p[0];
    free(p);
  }
}

void pingpong_held(long n, std::size_t size) {
  void* held = xmalloc(size);
  pingpong(n, size);
  free(held);
}

void progressive(long n) {
  std::vector<void*> v;
  v.reserve(static_cast<std::size_t>(2 * n));
  for (long i = 0; i < n; ++i) v.push_back(xmalloc(1024));
  for (long i = 0; i < n; ++i) v.push_back(xmalloc(2048));
  for (void* p : v) free(p);
}

void multipage(long pages, long cycles, std::size_t size) {
  const std::size_t n = static_cast<std::size_t>(pages) * (65536 / size);
  std::vector<void*> v(n);
  for (long c = 0; c < cycles; ++c) {
    for (auto& p : v) p = xmalloc(size);
    if (c % 2) {
      for (auto it = v.rbegin(); it != v.rend(); ++it) free(*it);
    } else {
      for (void* p : v) free(p);
    }
  }
}

void listswap(long rounds) {
  std::vector<void*> v;
  v.reserve(100);
  for (long r = 0; r < rounds; ++r) {
    for (int i = 0; i < 50; ++i) v.push_back(xmalloc(2048));
    for (std::size_t i = 0; i < v.size(); i += 2) {
      free(v[i]);
      v[i] = nullptr;
    }
    for (int i = 0; i < 25; ++i) v.push_back(xmalloc(2048));
    for (void* p : v) free(p);
    v.clear();
  }
}

void interleaved(long steps) {
  std::vector<void*> slots(1024);
  unsigned s = 1;
  auto next = [&] { return s = s * 1103515245u + 12345u; };
  for (auto& p : slots) p = xmalloc(16 + next() % 113);
  for (long i = 0; i < steps; ++i) {
    const unsigned k = (next() >> 8) & 1023u;
    free(slots[k]);
    slots[k] = xmalloc(16 + (s >> 20) % 113);
  }
  for (void* p : slots) free(p);
}

long arg(char** argv, int i) { return std::strtol(argv[i], nullptr, 10); }

}  // namespace

int main(int argc, char** argv) {
  using fn = const char* (*)();
  auto stats = reinterpret_cast<fn>(dlsym(RTLD_DEFAULT, "alloclab_stats"));
  if (!stats) {
    std::fprintf(stderr, "churn_probe: no alloclab library is loaded (alloclab_stats not found)\n");
    return 3;
  }
  if (argc < 2) return 2;
  const char* cmd = argv[1];
  if (!std::strcmp(cmd, "pingpong") && argc == 4) {
    pingpong(arg(argv, 2), static_cast<std::size_t>(arg(argv, 3)));
  } else if (!std::strcmp(cmd, "pingpong-held") && argc == 4) {
    pingpong_held(arg(argv, 2), static_cast<std::size_t>(arg(argv, 3)));
  } else if (!std::strcmp(cmd, "progressive") && argc == 3) {
    progressive(arg(argv, 2));
  } else if (!std::strcmp(cmd, "multipage") && argc == 5) {
    multipage(arg(argv, 2), arg(argv, 3), static_cast<std::size_t>(arg(argv, 4)));
  } else if (!std::strcmp(cmd, "listswap") && argc == 3) {
    listswap(arg(argv, 2));
  } else if (!std::strcmp(cmd, "interleaved") && argc == 3) {
    interleaved(arg(argv, 2));
  } else {
    std::fprintf(stderr, "churn_probe: bad arguments\n");
    return 2;
  }
  std::printf("%s\n", stats());
  return 0;
}
