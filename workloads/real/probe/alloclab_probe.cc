// alloclab_probe.cc — the exit probe of the real-program suite (harness run --workloads real,
// harness exec). Preloaded AFTER the allocator (LD_PRELOAD="<allocator.so> <probe.so>"; for
// glibc the probe alone), it writes one JSON record per process to
// $ALLOCLAB_PROBE_DIR/probe-<pid>.json when the process exits normally:
//   {"pid": N, "exe": "/usr/bin/python3.11", "malloc_provider": "/path/liballoclab-all.so",
//    "alloclab_variant": {...} | null, "process_stats": {...} | null}
// malloc_provider is the file whose `malloc` the program binds: dlsym(RTLD_DEFAULT) + dladdr,
// the first definition in the global scope. A non-PIE executable that takes malloc's address
// (Debian's python3) has a canonical PLT entry for it: dlsym then returns the executable's
// stub, an undefined symbol, while its calls go to the first definition after it — so for an
// undefined match the objects after the executable are asked in load order.
// alloclab_variant / process_stats are the allocator's own JSON strings when it exports
// `alloclab_variant` / `alloclab_process_stats` (alloclab variants do).
//
// The record is written from an atexit handler registered by the constructor: it runs after
// the program's own atexit handlers and before any library destructor (_dl_fini), so the
// allocator is still whole when its statistics are read. The writer allocates nothing: a
// stack buffer, open/write/close. A process that ends in _exit, exec or a signal writes
// nothing (the harness requires at least one record per cell, and all of them right).
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>

namespace {

// An append-only buffer on the stack; what does not fit is dropped (the record then fails to
// parse and the harness says so, which is better than allocating here).
struct Writer {
  char buf[16384];
  size_t len = 0;
  void raw(const char* s, size_t n) {
    if (len + n > sizeof buf) n = sizeof buf - len;
    memcpy(buf + len, s, n);
    len += n;
  }
  void raw(const char* s) { raw(s, strlen(s)); }
  // A JSON string literal.
  void str(const char* s) {
    raw("\"");
    for (; *s; ++s) {
      unsigned char c = static_cast<unsigned char>(*s);
      if (c == '"' || c == '\\') {
        char e[2] = {'\\', static_cast<char>(c)};
        raw(e, 2);
      } else if (c < 0x20) {
        char e[8];
        int n = snprintf(e, sizeof e, "\\u%04x", c);
        raw(e, static_cast<size_t>(n));
      } else {
        raw(reinterpret_cast<const char*>(&c), 1);
      }
    }
    raw("\"");
  }
  // The JSON an exported `const char* f(void)` returns, or null when absent or empty.
  void json_of(const char* symbol) {
    using Fn = const char* (*)();
    auto f = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, symbol));
    const char* v = f ? f() : nullptr;
    raw(v && *v ? v : "null");
  }
};

// The first object after the main program that defines malloc (dlopen NOLOAD: no loading).
const char* first_definition_after_main() {
  void* self = dlopen(nullptr, RTLD_LAZY | RTLD_NOLOAD);
  struct link_map* lm = nullptr;
  if (!self || dlinfo(self, RTLD_DI_LINKMAP, &lm) != 0 || !lm) return "";
  for (struct link_map* m = lm->l_next; m; m = m->l_next) {
    if (!m->l_name || !*m->l_name) continue;  // the vDSO
    void* h = dlopen(m->l_name, RTLD_LAZY | RTLD_NOLOAD);
    if (!h) continue;
    void* q = dlsym(h, "malloc");  // searches m, then its dependencies
    Dl_info qi{};
    ElfW(Sym)* sym = nullptr;  // dladdr1 writes a const ElfW(Sym)* through a void**
    bool here = q && dladdr1(q, &qi, reinterpret_cast<void**>(&sym), RTLD_DL_SYMENT) && sym &&
                sym->st_shndx != SHN_UNDEF && qi.dli_fname && strcmp(qi.dli_fname, m->l_name) == 0;
    dlclose(h);
    if (here) return m->l_name;
  }
  return "";
}

const char* malloc_provider() {
  void* m = dlsym(RTLD_DEFAULT, "malloc");
  Dl_info info{};
  ElfW(Sym)* sym = nullptr;  // dladdr1 writes a const ElfW(Sym)* through a void**
  if (!m || !dladdr1(m, &info, reinterpret_cast<void**>(&sym), RTLD_DL_SYMENT) || !info.dli_fname) return "";
  if (sym && sym->st_shndx == SHN_UNDEF) return first_definition_after_main();  // a PLT stub
  return info.dli_fname;
}

extern "C" void alloclab_probe_write() {
  const char* dir = getenv("ALLOCLAB_PROBE_DIR");
  if (!dir || !*dir) return;
  Writer w;
  char num[32];
  w.raw("{\"pid\":");
  snprintf(num, sizeof num, "%d", static_cast<int>(getpid()));
  w.raw(num);
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  w.raw(",\"exe\":");
  w.str(exe);
  w.raw(",\"malloc_provider\":");
  w.str(malloc_provider());
  w.raw(",\"alloclab_variant\":");
  w.json_of("alloclab_variant");
  w.raw(",\"process_stats\":");
  w.json_of("alloclab_process_stats");
  w.raw("}\n");

  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/probe-%d.json", dir, static_cast<int>(getpid()));
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  for (size_t off = 0; off < w.len;) {
    ssize_t got = write(fd, w.buf + off, w.len - off);
    if (got <= 0) break;
    off += static_cast<size_t>(got);
  }
  close(fd);
}

__attribute__((constructor)) void alloclab_probe_init() { atexit(alloclab_probe_write); }

}  // namespace
