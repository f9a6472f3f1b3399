#pragma once

// WWW-Authenticate challenges (RFC 7235), as registries send them:
//   Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"
//   Basic realm="registry"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::image {

struct Challenge
{
  std::string scheme;                        // lower case: "bearer", "basic"
  std::map<std::string, std::string> params; // keys lower case
};

// Every challenge in a header value; malformed parts are skipped.
std::vector<Challenge> parse_challenges(std::string_view header);

} // namespace ocne::image
