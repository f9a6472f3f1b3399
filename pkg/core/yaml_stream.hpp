#pragma once

// Loads every document of a YAML stream with yaml-cpp, without its endless
// loop. yaml-cpp 0.7 (Debian 12) keeps returning the same empty document when
// a stream holds a token that no node can start with (a ',' after "...", at
// the start of a line inside [...], after a finished flow collection, ...):
// YAML::LoadAll then never returns and its memory grows until the process
// dies. The fuzzers found four shapes of it; this catches all of them by
// watching that each document moves the parser forward.

#include <tl/expected.hpp>

#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace ocne {

struct YamlSyntaxError
{
  int line = 0;   // 0-based, as yaml-cpp's marks
  int column = 0; // 0-based
  std::string message;
};

// The documents of `text`, or where and why it is not YAML that yaml-cpp can read.
tl::expected<std::vector<YAML::Node>, YamlSyntaxError> load_yaml_stream(const std::string& text);

} // namespace ocne
