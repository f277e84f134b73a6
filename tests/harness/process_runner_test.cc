// The ONE test that forks: the real PosixProcessRunner's crash, timeout, exit-code, output
// and environment handling, with tiny /bin/sh children.
#include <gtest/gtest.h>

#include "run/measurement.h"
#include "run/process_runner.h"

namespace alloclab::harness {
namespace {

TEST(PosixProcessRunner, ReportsCrashTimeoutExitOutputAndEnvironment) {
  PosixProcessRunner pr;

  ChildSpec crash;
  crash.argv = {"/bin/sh", "-c", "kill -SEGV $$"};
  crash.timeout_s = 10;
  ChildResult c = pr.run(crash);
  ASSERT_TRUE(c.started) << c.start_error;
  EXPECT_EQ(c.term_signal, 11);
  EXPECT_EQ(classify_exit(c, 10).error, "crashed: SIGSEGV");
  EXPECT_EQ(classify_exit(c, 10).status, Status::crashed);

  ChildSpec slow;
  slow.argv = {"sleep", "10"};
  slow.timeout_s = 0.5;
  ChildResult s = pr.run(slow);
  EXPECT_TRUE(s.timed_out);
  EXPECT_LT(s.wall_s, 3.0);
  EXPECT_GE(s.wall_s, 0.45);
  EXPECT_EQ(classify_exit(s, 0.5).error, "timed out after 0.5 s");

  ChildSpec talk;
  talk.argv = {"/bin/sh", "-c", "echo \"$ALLOCLAB_T1|${ALLOCLAB_T2-unset}\"; echo oops >&2; exit 3"};
  talk.env_set = {{"ALLOCLAB_T1", "set-for-child"}};
  talk.env_unset = {"ALLOCLAB_T2"};
  setenv("ALLOCLAB_T2", "from-parent", 1);
  ChildResult t = pr.run(talk);
  unsetenv("ALLOCLAB_T2");
  EXPECT_EQ(t.out, "set-for-child|unset\n");
  EXPECT_EQ(t.err, "oops\n");
  EXPECT_EQ(t.exit_code, 3);
  EXPECT_GT(t.peak_rss_kib, 0);
  EXPECT_EQ(classify_exit(t, 10).error, "exit status 3: oops");
  EXPECT_EQ(getenv("ALLOCLAB_T1"), nullptr);  // only the child saw it

  ChildSpec missing;
  missing.argv = {"/nonexistent/alloclab-runner"};
  ChildResult m = pr.run(missing);
  EXPECT_FALSE(m.started);
  EXPECT_NE(m.start_error.find("cannot start"), std::string::npos);
}

}  // namespace
}  // namespace alloclab::harness
