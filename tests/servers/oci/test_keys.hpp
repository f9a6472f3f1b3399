#pragma once

// Throw-away RSA API keys for tests against the OCI test server.

#include <string>

namespace ocne::test::oci {

struct TestKey
{
  std::string private_pem; // PKCS#8, unencrypted
  std::string public_pem;  // SubjectPublicKeyInfo
  std::string fingerprint; // MD5 of the public DER, "aa:bb:..."
};

// A new key (1024-bit: fast to make; the server accepts any RSA size).
TestKey make_test_key(int bits = 1024);
// The same key for the whole test process.
const TestKey& shared_test_key();

} // namespace ocne::test::oci
