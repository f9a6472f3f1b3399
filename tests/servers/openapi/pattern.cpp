#include "tests/servers/openapi/pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <map>
#include <memory>
#include <mutex>

namespace ocne::test::openapi {

namespace {

struct CodeDeleter
{
  void
  operator()(pcre2_code* code) const
  {
    pcre2_code_free(code);
  }
};
struct MatchDataDeleter
{
  void
  operator()(pcre2_match_data* data) const
  {
    pcre2_match_data_free(data);
  }
};
using Code = std::unique_ptr<pcre2_code, CodeDeleter>;
using MatchData = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

struct Compiled
{
  Code code;
  std::string error; // set when compilation failed
};

// Compiled patterns live for the whole process; the spec has a handful.
const Compiled&
compiled(const std::string& pattern)
{
  static std::mutex mutex;
  static std::map<std::string, Compiled, std::less<>> cache;
  const std::lock_guard lock(mutex);
  if (auto it = cache.find(pattern); it != cache.end()) {
    return it->second;
  }
  int code = 0;
  PCRE2_SIZE offset = 0;
  Compiled entry;
  entry.code.reset(
    pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF, &code, &offset, nullptr));
  if (!entry.code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof(buffer));
    entry.error = std::string(reinterpret_cast<const char*>(buffer)) + " at offset " + std::to_string(offset);
  }
  return cache.emplace(pattern, std::move(entry)).first->second;
}

} // namespace

bool
pattern_matches(const std::string& pattern, std::string_view value, std::string* error)
{
  const auto& entry = compiled(pattern);
  if (!entry.code) {
    if (error != nullptr) {
      *error = "pattern does not compile: " + entry.error;
    }
    return false;
  }
  const MatchData data(pcre2_match_data_create_from_pattern(entry.code.get(), nullptr));
  const int rc =
    pcre2_match(entry.code.get(), reinterpret_cast<PCRE2_SPTR>(value.data()), value.size(), 0, 0, data.get(), nullptr);
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && error != nullptr) {
    *error = "pattern match failed with PCRE2 error " + std::to_string(rc);
  }
  return rc >= 0;
}

} // namespace ocne::test::openapi
