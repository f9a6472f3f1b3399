#pragma once

// Runs validate_crds.py (next to this file) with Debian's python3.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ocne::test {

// A python3 that has the jsonschema and yaml modules, or nullopt.
std::optional<std::string> python_with_jsonschema();

struct Validation
{
  int exit_code = -1;
  std::string output; // stdout and stderr
};

// Validates files against the CRDs in ../shared/crds/{capi,oci,oxide}, with
// Oracle's Cluster API fork fields added (oracle_capi_fork.yaml).
Validation validate_against_crds(const std::string& python,
                                 const std::vector<std::filesystem::path>& files,
                                 const std::vector<std::string>& allow_unknown = {});

} // namespace ocne::test

// Skips the test when no suitable python3 is installed (scripts/setup.sh
// installs python3-jsonschema and python3-yaml, so CI never skips).
#define OCNE_REQUIRE_VALIDATOR(python_var)                                                                             \
  const auto python_var##_found = ::ocne::test::python_with_jsonschema();                                              \
  if (!python_var##_found) {                                                                                           \
    GTEST_SKIP() << "no python3 with jsonschema and yaml (apt-get install python3-jsonschema python3-yaml)";           \
  }                                                                                                                    \
  const std::string python_var = *python_var##_found
