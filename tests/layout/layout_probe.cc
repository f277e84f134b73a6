// layout_probe: run with LD_PRELOAD=<an alloclab library>; prints where that library's malloc
// and free sit relative to its own load base, and the library's alloclab_variant() text:
//   {"malloc_offset": N, "free_offset": N, "library": "...", "variant": {...}}
// Offsets from the base, not absolute addresses: those change with every process (ASLR).
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>

namespace {

bool offset_of(const char* symbol, std::uintptr_t& offset, const char*& library) {
  void* address = dlsym(RTLD_DEFAULT, symbol);
  Dl_info info{};
  if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fbase == nullptr) return false;
  offset = reinterpret_cast<std::uintptr_t>(address) - reinterpret_cast<std::uintptr_t>(info.dli_fbase);
  library = info.dli_fname;
  return true;
}

}  // namespace

int main() {
  using VariantFn = const char* (*)();
  auto variant = reinterpret_cast<VariantFn>(dlsym(RTLD_DEFAULT, "alloclab_variant"));
  std::uintptr_t malloc_offset = 0, free_offset = 0;
  const char* malloc_library = nullptr;
  const char* free_library = nullptr;
  if (variant == nullptr || !offset_of("malloc", malloc_offset, malloc_library) ||
      !offset_of("free", free_offset, free_library)) {
    std::fprintf(stderr, "layout_probe: no alloclab library answers malloc (LD_PRELOAD unset?)\n");
    return 1;
  }
  std::printf("{\"malloc_offset\": %ju, \"free_offset\": %ju, \"library\": \"%s\", \"variant\": %s}\n",
              static_cast<std::uintmax_t>(malloc_offset), static_cast<std::uintmax_t>(free_offset), malloc_library,
              variant());
  return 0;
}
