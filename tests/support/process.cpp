#include "tests/support/process.hpp"

#include "tests/support/shared_dir.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ocne::test {

std::filesystem::path
ocne_binary()
{
  if (const char* env = std::getenv("OCNE_BINARY"); env != nullptr && *env != '\0') {
    return env;
  }
  return binary_dir() / "cmd" / "ocne" / "ocne";
}

std::map<std::string, std::string>
ocne_environment(const std::filesystem::path& home, const std::map<std::string, std::string>& env)
{
  std::map<std::string, std::string> vars;
  if (const char* path = std::getenv("PATH")) {
    vars["PATH"] = path;
  }
  // Keep sanitizer settings so child processes report like the test itself.
  for (const char* name : { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" }) {
    if (const char* value = std::getenv(name)) {
      vars[name] = value;
    }
  }
  vars["HOME"] = home.string();
  vars["OCNE_HOME"] = (home / ".ocne").string();
  for (const auto& [k, v] : env) {
    vars[k] = v;
  }
  return vars;
}

namespace {

OcneRun
run_ocne_in(ProcessOptions options,
            const std::vector<std::string>& args,
            const std::filesystem::path& home,
            const std::map<std::string, std::string>& env,
            const std::string& stdin_data,
            const std::filesystem::path& cwd,
            std::chrono::seconds timeout = std::chrono::seconds(120))
{
  options.argv.push_back(ocne_binary().string());
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = ocne_environment(home, env);
  options.stdin_data = stdin_data;
  options.cwd = cwd;
  options.timeout = timeout;
  auto result = run_process(options);
  if (!result) {
    throw std::runtime_error(result.error().message());
  }
  return { result->exit_code, result->out, result->err, result->signal };
}

} // namespace

OcneRun
run_ocne(const std::vector<std::string>& args,
         const std::filesystem::path& home,
         const std::map<std::string, std::string>& env,
         const std::string& stdin_data,
         const std::filesystem::path& cwd,
         std::chrono::seconds timeout)
{
  return run_ocne_in(ProcessOptions{}, args, home, env, stdin_data, cwd, timeout);
}

OcneRun
run_ocne_wrapped(const std::vector<std::string>& wrapper,
                 const std::vector<std::string>& args,
                 const std::filesystem::path& home,
                 const std::map<std::string, std::string>& env)
{
  ProcessOptions options;
  options.argv = wrapper;
  return run_ocne_in(std::move(options), args, home, env, {}, {});
}

} // namespace ocne::test
