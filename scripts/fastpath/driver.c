/* The three fast-path budget patterns of ALLOCATOR.md, each in one function so that
 * `valgrind --tool=callgrind --toggle-collect=<function>` counts exactly that region.
 * Usage: driver pingpong|lifo|interleaved N   (N operations; see fastpath-callgrind.sh) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every free empties the page: the retire path runs each time. */
__attribute__((noinline)) void region_pingpong(long n) {
  for (long i = 0; i < n; i++) {
    char* volatile p = malloc(16);
    p[0] = 1;
    free(p);
  }
}

/* 1000 x 64 B allocated, then freed in reverse order; n counts pairs. */
__attribute__((noinline)) void region_lifo(long n) {
  static void* blocks[1000];
  for (long r = 0; r < n / 1000; r++) {
    for (int i = 0; i < 1000; i++) {
      blocks[i] = malloc(64);
      ((char*)blocks[i])[0] = 1;
    }
    for (int i = 999; i >= 0; i--) free(blocks[i]);
  }
}

/* A live set of 1024 slots of 16-128 B; each step frees a random slot and allocates anew. */
static void* slots[1024];
__attribute__((noinline)) void region_interleaved(long n) {
  unsigned s = 1;
  for (long i = 0; i < n; i++) {
    s = s * 1103515245u + 12345u;
    unsigned k = (s >> 8) & 1023u;
    free(slots[k]);
    slots[k] = malloc(16 + (s >> 20) % 113);
    ((char*)slots[k])[0] = 1;
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s pingpong|lifo|interleaved N\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]);
  /* Only the chosen pattern's blocks are live: in ping-pong nothing else shares the page.
   * Each pattern runs once uncounted first (warm-up: heap and pages initialised). */
  if (strcmp(argv[1], "pingpong") == 0) {
    region_pingpong(1000);
    region_pingpong(n);
  } else if (strcmp(argv[1], "lifo") == 0) {
    region_lifo(2000);
    region_lifo(n);
  } else if (strcmp(argv[1], "interleaved") == 0) {
    for (int i = 0; i < 1024; i++) slots[i] = malloc(16 + i % 113);
    region_interleaved(1000);
    region_interleaved(n);
    for (int i = 0; i < 1024; i++) free(slots[i]);
  } else {
    return 2;
  }
  return 0;
}
