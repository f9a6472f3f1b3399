#pragma once

// Throw-away certificates for loopback test servers (EC P-256, fast to make).

#include <string>
#include <vector>

namespace ocne::test {

struct TestCert
{
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA.
TestCert make_test_ca(const std::string& common_name = "ocne test CA");
// A certificate signed by ca. SANs are "DNS:name" or "IP:1.2.3.4" entries;
// client adds the clientAuth usage, otherwise serverAuth.
TestCert make_test_cert(const TestCert& ca,
                        const std::string& common_name,
                        const std::vector<std::string>& sans,
                        bool client = false,
                        const std::string& organization = "");

} // namespace ocne::test
