// Invalid frees: a pointer the allocator never handed out (or no longer owns) is caught by the
// ownership check, reported once on stderr, and ignored — the heap stays intact. Each case
// runs in a forked child so its stderr can be read and a crash is a failure, not the end of
// the test binary. DoubleFree runs only under the debug builds (tests/CMakeLists.txt), which
// are the ones that catch a double free of a small block.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"

using namespace alloclab::test;
using nlohmann::json;

namespace {

struct ChildOutcome {
  int status = -1;  // from waitpid
  std::string err;  // the child's stderr
};

// Runs `body` in a forked child with stderr on a pipe. The child exits 0 when body returns.
ChildOutcome in_child(const std::function<void()>& body) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDERR_FILENO);
    body();
    _exit(0);
  }
  close(fds[1]);
  ChildOutcome out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.err.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  waitpid(pid, &out.status, 0);
  return out;
}

// Builds with checked_free off (the sweep sweep-checked_free-0) do not check: there the
// tests assert only that nothing is reported (the bad free may crash the child).
bool checked_free() {
  using fn = const char* (*)();
  auto f = reinterpret_cast<fn>(dlsym(RTLD_DEFAULT, "alloclab_variant"));
  return f == nullptr || json::parse(f())["options"].value("checked_free", true);
}

long invalid_frees() {
  using fn = const char* (*)();
  auto f = reinterpret_cast<fn>(dlsym(RTLD_DEFAULT, "alloclab_process_stats"));
  if (!f) return -1;
  return json::parse(f()).value("invalid_frees", -1L);
}

// The heap still works and still holds what it held: blocks written before the bad free keep
// their contents, and a round of churn of every small size class allocates and frees cleanly.
void check_heap_intact(const std::vector<std::pair<void*, std::size_t>>& held) {
  for (std::size_t i = 0; i < held.size(); ++i)
    if (check_pattern(held[i].first, held[i].second, 1000 + i) != SIZE_MAX) _exit(10);
  std::vector<void*> churn;
  for (std::size_t size = 16; size <= 4096; size += 16) {
    void* p = malloc(size);
    if (p == nullptr) _exit(11);
    fill_pattern(p, size, size);
    churn.push_back(p);
  }
  for (std::size_t i = 0; i < churn.size(); ++i) {
    if (check_pattern(churn[i], 16 * (i + 1), 16 * (i + 1)) != SIZE_MAX) _exit(12);
    free(churn[i]);
  }
}

std::vector<std::pair<void*, std::size_t>> hold_some_blocks() {
  std::vector<std::pair<void*, std::size_t>> held;
  for (std::size_t i = 0; i < 64; ++i) {
    const std::size_t size = 16 + 24 * i;
    void* p = malloc(size);
    fill_pattern(p, size, 1000 + i);
    held.emplace_back(p, size);
  }
  return held;
}

// One bad free in a child: it must survive, report exactly one line naming the pointer, and
// count it; the heap must still work.
void expect_caught(const char* what, const std::function<void*()>& make_bad_pointer) {
  const ChildOutcome r = in_child([&] {
    auto held = hold_some_blocks();
    const long before = invalid_frees();
    void* bad = make_bad_pointer();
    free(bad);
    if (invalid_frees() != before + 1) _exit(20);
    check_heap_intact(held);
  });
  if (!checked_free()) {
    EXPECT_EQ(r.err.find("invalid free(0x"), std::string::npos) << what << ": an unchecked build reported:\n" << r.err;
    return;
  }
  ASSERT_TRUE(WIFEXITED(r.status)) << what << ": the child died"
                                   << (WIFSIGNALED(r.status) ? " of signal " + std::to_string(WTERMSIG(r.status)) : "")
                                   << "; stderr:\n"
                                   << r.err;
  EXPECT_EQ(WEXITSTATUS(r.status), 0) << what << ": exit 20 = not counted, 10-12 = heap damaged; stderr:\n" << r.err;
  EXPECT_NE(r.err.find("invalid free(0x"), std::string::npos) << what << ": no report on stderr:\n" << r.err;
}

}  // namespace

TEST(InvalidFree, StackPointer) {
  // The frame of expect_caught's lambda outlives the free: a pointer into a live stack frame.
  const ChildOutcome r = in_child([] {
    int on_stack[4] = {1, 2, 3, 4};
    const long before = invalid_frees();
    free(opaque(&on_stack[1]));
    if (invalid_frees() != before + 1 || on_stack[1] != 2) _exit(20);
    check_heap_intact(hold_some_blocks());
  });
  if (!checked_free()) {
    EXPECT_EQ(r.err.find("invalid free(0x"), std::string::npos) << r.err;
    return;
  }
  ASSERT_TRUE(WIFEXITED(r.status)) << "the child died; stderr:\n" << r.err;
  EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.err;
  EXPECT_NE(r.err.find("invalid free(0x"), std::string::npos) << "no report on stderr:\n" << r.err;
}

TEST(InvalidFree, PointerIntoAnotherMapping) {
  expect_caught("free(mmap'd page + 64)", [] {
    void* m = mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return static_cast<void*>(static_cast<char*>(m) + 64);
  });
}

TEST(InvalidFree, InteriorPointerOfASmallBlock) {
  expect_caught("free(p + 16)", [] {
    auto* p = static_cast<char*>(malloc(opaque<std::size_t>(64)));
    fill_pattern(p, 64, 7);
    return static_cast<void*>(p + 16);
  });
}

TEST(InvalidFree, InteriorPointerOfAHugeBlock) {
  expect_caught("free(huge + 4096)", [] {
    auto* p = static_cast<char*>(malloc(opaque<std::size_t>(1 << 20)));
    return static_cast<void*>(p + 4096);
  });
}

TEST(InvalidFree, PointerIntoAReleasedSegment) {
  // A huge block's segment is released when it is freed: its pointer is no longer ours.
  expect_caught("free(huge) twice", [] {
    void* p = malloc(opaque<std::size_t>(8 << 20));
    free(p);
    return p;
  });
}

TEST(InvalidFree, SlotNeverHandedOut) {
  // The far end of a fresh page: inside the page, but no block there was ever allocated.
  expect_caught("free(first block + 900 blocks)", [] {
    auto* p = static_cast<char*>(malloc(opaque<std::size_t>(48)));
    return static_cast<void*>(p + 900 * 48);
  });
}

TEST(InvalidFree, InteriorPointerFreedByTheOwnerOfAFullPage) {
  // Pages in the full queue take free()'s slow path: the check must be there too.
  expect_caught("free(p + 8) in a full page", [] {
    std::vector<void*> fill;
    for (int i = 0; i < 5000; ++i) fill.push_back(malloc(opaque<std::size_t>(32)));
    return static_cast<void*>(static_cast<char*>(fill[10]) + 8);
  });
}

TEST(InvalidFree, ReportedOnceThenCountedSilently) {
  const ChildOutcome r = in_child([] {
    int a, b, c;
    const long before = invalid_frees();
    free(&a);
    free(&b);
    free(&c);
    if (invalid_frees() != before + 3) _exit(20);
  });
  if (!checked_free()) {
    EXPECT_EQ(r.err.find("invalid free("), std::string::npos) << r.err;
    return;
  }
  ASSERT_TRUE(WIFEXITED(r.status)) << r.err;
  EXPECT_EQ(WEXITSTATUS(r.status), 0) << r.err;
  std::size_t reports = 0;
  for (std::size_t at = 0; (at = r.err.find("invalid free(", at)) != std::string::npos; ++at) ++reports;
  EXPECT_EQ(reports, 1u) << r.err;
}

TEST(DoubleFree, SmallBlockFreedTwiceIsCaught) {
  expect_caught("free(p); free(p)", [] {
    void* keep = malloc(opaque<std::size_t>(40));  // the page stays in use, not retired
    void* p = malloc(opaque<std::size_t>(40));
    free(p);
    (void)keep;
    return p;
  });
}
