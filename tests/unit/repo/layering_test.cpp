// Rules the build cannot enforce by itself: pkg/ never includes CLI11 and
// never writes to stdout (results are printed by cmd/ only); nothing but the
// real clock puts a thread to sleep (waits go through pkg/core/poll.hpp);
// outside providers/, no code names a cloud (issue 19: a provider is one folder).

#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"
#include "tests/support/shared_dir.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

namespace ocne::test {
namespace {

std::vector<std::filesystem::path>
sources_under(const std::filesystem::path& root)
{
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::exists(root)) {
    return out;
  }
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".cc")) {
      out.push_back(e.path());
    }
  }
  return out;
}

TEST(Layering, LibrariesNeitherUseCli11NorPrintToStdout)
{
  const std::regex cli11(R"(#include\s*[<"]CLI/)");
  const std::regex forbidden(R"(std::cout|std::printf\s*\(|(^|[^a-z_:f])printf\s*\(|(^|[^a-z_])puts\s*\(|\bstdout\b)");
  // Words inside string literals print nothing ("stdout" is a query
  // parameter of the exec API).
  const std::regex literal(R"("([^"\\]|\\.)*")");
  int checked = 0;
  for (const auto* folder : { "pkg", "providers" }) {
    for (const auto& file : sources_under(source_dir() / folder)) {
      const auto text = fs::read_file(file);
      ASSERT_TRUE(text) << text.error().message();
      int line_no = 0;
      for (const auto& line : str::split(*text, '\n')) {
        ++line_no;
        const auto t = str::trim(line);
        if (str::starts_with(t, "//")) {
          continue;
        }
        const auto code = std::regex_replace(line, literal, "\"\"");
        EXPECT_FALSE(std::regex_search(line, cli11) || std::regex_search(code, forbidden))
          << file.string() << ":" << line_no << ": " << line;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

// A line of code that sleeps the thread itself instead of asking a Clock.
bool
sleeps_by_hand(const std::string& line)
{
  static const std::regex sleep(R"(this_thread\s*::\s*sleep_(for|until)\b)");
  static const std::regex literal(R"("([^"\\]|\\.)*")");
  if (str::starts_with(str::trim(line), "//")) {
    return false;
  }
  auto code = std::regex_replace(line, literal, "\"\"");
  code = code.substr(0, code.find("//"));
  return std::regex_search(code, sleep);
}

TEST(Layering, TheSleepRuleCanFail)
{
  EXPECT_TRUE(sleeps_by_hand("    std::this_thread::sleep_for(std::chrono::milliseconds(20));"));
  EXPECT_TRUE(sleeps_by_hand("  if (x) { std::this_thread::sleep_until(t); }"));
  EXPECT_FALSE(sleeps_by_hand("    sleep_for(clock_or_real(options.clock), delay);"));
  EXPECT_FALSE(sleeps_by_hand("// never std::this_thread::sleep_for here"));
  EXPECT_FALSE(sleeps_by_hand("  log::debug(\"std::this_thread::sleep_for\"); // std::this_thread::sleep_for"));
}

TEST(Layering, OnlyTheRealClockSleeps)
{
  const auto clock = std::filesystem::path("pkg") / "core" / "clock.cpp";
  int checked = 0;
  bool saw_clock = false;
  for (const auto* folder : { "cmd", "pkg", "providers" }) {
    for (const auto& file : sources_under(source_dir() / folder)) {
      if (file.lexically_relative(source_dir()) == clock) {
        saw_clock = true;
        continue;
      }
      const auto text = fs::read_file(file);
      ASSERT_TRUE(text) << text.error().message();
      int line_no = 0;
      for (const auto& line : str::split(*text, '\n')) {
        ++line_no;
        EXPECT_FALSE(sleeps_by_hand(line))
          << file.string() << ":" << line_no << ": sleeps by hand; wait with ocne::poll or ocne::sleep_for on a Clock";
      }
      ++checked;
    }
  }
  EXPECT_TRUE(saw_clock) << "the one allowed sleep moved: update this rule";
  EXPECT_GT(checked, 100);
}

// The cloud-name rule. Code under cmd/ and pkg/ must not name a cloud: no
// string literal "oci", "oxide" or "libvirt" (a comparison, a default, a
// list of choices), no providers.<cloud> (a member or a key string), no enum
// value named after a cloud, no include of providers/<cloud>/ or of the
// cloud's API client pkg/<cloud>/. Exempt, each for a reason:
//  - the API clients pkg/oci, pkg/oxide and pkg/libvirt: named after the
//    service they speak to, as pkg/k8s is;
//  - comments;
//  - help and message text: a literal with a space in it, or the argument of
//    default_note() (man pages and docs tests check those texts).

// The line as the rule reads it: the comment dropped, text literals blanked.
std::string
cloud_rule_code(const std::string& line)
{
  const bool include = str::starts_with(str::trim(line), "#include");
  std::string code;
  std::string literal; // the one being read, quotes included
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      literal += c;
      if (c == '\\' && i + 1 < line.size()) {
        literal += line[++i];
      } else if (c == '"') {
        quoted = false;
        code += include || literal.find(' ') == std::string::npos ? literal : std::string("\"\"");
      }
    } else if (c == '"') {
      quoted = true;
      literal = "\"";
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
      break;
    } else {
      code += c;
    }
  }
  static const std::regex note(R"(default_note\("[^"]*"\))");
  return std::regex_replace(code, note, "default_note(\"\")");
}

bool
names_a_cloud(const std::string& line)
{
  static const std::regex cloud(R"re("(oci|oxide|libvirt)"|\bproviders\.(oci|oxide|libvirt)\b)re"
                                R"re(|\b[A-Za-z_]+::(oci|oxide|libvirt)\b(?!::))re"
                                R"re(|#include\s*"(providers|pkg)/(oci|oxide|libvirt)/)re");
  return std::regex_search(cloud_rule_code(line), cloud);
}

TEST(Layering, CloudNameMatcherCanFail)
{
  for (const auto* bad : { R"(  if (provider == "oci") {)",
                           R"(  const bool capi = "oxide" != p;)",
                           R"(  auto loaded = load_config(ctx, file, flags, "libvirt");)",
                           R"(  o.kubeconfig = c.providers.oxide.kubeconfig.get();)",
                           R"(  o.key = loaded.subject("providers.oci.profile");)",
                           R"(  p.type = image::ImageType::oxide;)",
                           R"(#include "providers/libvirt/driver.hpp")",
                           R"(#include "pkg/oci/profile.hpp")",
                           R"(  x = "// not a comment"; y = "oci"; // a comment)" }) {
    EXPECT_TRUE(names_a_cloud(bad)) << bad;
  }
  for (const auto* good : { R"(  // if (provider == "oci") {)",
                            R"(  return f(p); // the "oxide" case)",
                            R"(  throw Fatal("--output json is for oci and oxide clusters");)",
                            R"(  "Name of the image" + default_note("providers.oxide.imageName"))",
                            R"(  const auto& provider = providers::get(name);)",
                            R"(  oci::upload_image(client, options);)",
                            R"(  const auto ref = "oci-archive:x.tar";)",
                            R"(#include "providers/registry/registry.hpp")" }) {
    EXPECT_FALSE(names_a_cloud(good)) << good;
  }
}

// Files that still name a cloud; each commit of issue 19's phase F takes
// some off, and the test fails on a listed file that no longer names one.
const std::set<std::string>&
still_naming_a_cloud()
{
  static const std::set<std::string> files = {
    "pkg/config/oxide_credentials.cpp",
    "pkg/config/oxide_credentials.hpp",
    "pkg/config/schema.cpp",
  };
  return files;
}

// Not a cloud, though the rule cannot tell: "oci" is also the Open
// Container Initiative's image layout (a transport name).
const std::set<std::string> k_not_a_cloud = { "pkg/image/oci_layout_source.cpp" };

TEST(Layering, NoCodeOutsideProvidersNamesACloud)
{
  const std::regex client(R"(^pkg/(oci|oxide|libvirt)/)");
  std::map<std::string, std::string> naming; // file -> its first such line
  int checked = 0;
  for (const auto* folder : { "cmd", "pkg" }) {
    for (const auto& file : sources_under(source_dir() / folder)) {
      const auto relative = file.lexically_relative(source_dir()).generic_string();
      if (std::regex_search(relative, client)) {
        continue;
      }
      const auto text = fs::read_file(file);
      ASSERT_TRUE(text) << text.error().message();
      int line_no = 0;
      for (const auto& line : str::split(*text, '\n')) {
        ++line_no;
        if (names_a_cloud(std::string(line))) {
          naming.emplace(relative, std::to_string(line_no) + ": " + std::string(line));
          break;
        }
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  for (const auto& [file, line] : naming) {
    EXPECT_TRUE(still_naming_a_cloud().count(file) != 0 || k_not_a_cloud.count(file) != 0)
      << file << ":" << line << "\n  names a cloud outside providers/: ask the provider (providers/registry) instead";
  }
  for (const auto& file : still_naming_a_cloud()) {
    EXPECT_TRUE(naming.count(file) != 0) << file << " no longer names a cloud: take it off the list in " << __FILE__;
  }
  for (const auto& file : k_not_a_cloud) {
    EXPECT_TRUE(naming.count(file) != 0) << file << " no longer needs its exemption: take it off k_not_a_cloud";
  }
}

} // namespace
} // namespace ocne::test
