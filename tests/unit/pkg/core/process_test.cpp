#include "pkg/core/process.hpp"

#include <gtest/gtest.h>

namespace ocne {
namespace {

TEST(Process, CapturesOutputAndExitCode)
{
  ProcessOptions o;
  o.argv = { "sh", "-c", "echo out; echo err >&2; exit 3" };
  const auto r = run_process(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST(Process, FeedsStdinAndEnvironment)
{
  ProcessOptions o;
  o.argv = { "sh", "-c", "cat; printf %s \"$SECRET_IN_ENV\"" };
  o.stdin_data = std::string(200000, 'x'); // bigger than a pipe buffer
  o.env_add = { { "SECRET_IN_ENV", "s3" } };
  const auto r = run_process(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out.size(), 200002U);
  EXPECT_EQ(r->out.substr(200000), "s3");
}

TEST(Process, TimeoutKillsTheChild)
{
  ProcessOptions o;
  o.argv = { "sleep", "30" };
  o.timeout = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_process(o);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(Process, MissingProgramIsNotFound)
{
  ProcessOptions o;
  o.argv = { "ocne-no-such-program" };
  const auto r = run_process(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_FALSE(program_exists("ocne-no-such-program"));
  EXPECT_TRUE(program_exists("sh"));
}

} // namespace
} // namespace ocne
