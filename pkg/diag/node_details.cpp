#include "pkg/diag/node_details.hpp"

#include "pkg/core/strings.hpp"

namespace ocne::diag {

namespace {

const std::string*
file(const std::map<std::string, std::string>& files, const std::string& name)
{
  const auto at = files.find(name);
  return at == files.end() ? nullptr : &at->second;
}

} // namespace

NodeDetails
node_details(const std::map<std::string, std::string>& files)
{
  NodeDetails d;
  d.collected = !files.empty();
  if (const auto* f = file(files, "update.yaml")) {
    d.update_source = *f;
  }
  if (const auto* f = file(files, "ostree-status.out")) {
    for (const auto& line : str::split(*f, '\n')) {
      const auto t = str::trim(line);
      if (t.empty() || str::starts_with(t, "Version:") || str::starts_with(t, "origin")) {
        continue;
      }
      d.deployments += line + "\n";
      // "* ock <checksum>.<serial>" is the booted deployment.
      if (str::starts_with(line, "* ")) {
        const auto words = str::split_trimmed(line.substr(2), ' ');
        if (words.size() >= 2) {
          d.booted_commit = words[1].substr(0, words[1].find('.'));
        }
      }
    }
  }
  if (const auto* f = file(files, "ostree-staged.out")) {
    d.staged_commit = std::string(str::trim(*f));
  }
  if (const auto* f = file(files, "failed-units.out")) {
    // --plain --no-legend: "<unit> <load> <active> <sub> <description>"
    for (const auto& line : str::split(*f, '\n')) {
      const auto t = std::string(str::trim(line));
      if (!t.empty()) {
        d.failed_units.push_back(t.substr(0, t.find(' ')));
      }
    }
  }
  return d;
}

} // namespace ocne::diag
