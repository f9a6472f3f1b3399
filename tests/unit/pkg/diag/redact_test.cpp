#include "pkg/diag/redact.hpp"

#include <gtest/gtest.h>

namespace ocne::diag {
namespace {

TEST(Redactor, AddressesButNotTimesMacsOrLoopback)
{
  Redactor r;
  EXPECT_EQ(r.redact("at 12:34:56 mac aa:bb:cc:dd:ee:ff lo 127.0.0.1 any 0.0.0.0 v1.2.3"),
            "at 12:34:56 mac aa:bb:cc:dd:ee:ff lo 127.0.0.1 any 0.0.0.0 v1.2.3");
  EXPECT_EQ(r.redact("10.0.0.1/24 and [fe80::1]:443 and ::1"), "REDACTED-IPV4-1/24 and [REDACTED-IPV6-1]:443 and ::1");
  // 999.1.1.1 is no address; 1.2.3.4.5 is a version, not an address.
  EXPECT_EQ(r.redact("999.1.1.1 1.2.3.4.5"), "999.1.1.1 1.2.3.4.5");
  EXPECT_EQ(r.redact("again 10.0.0.1"), "again REDACTED-IPV4-1");
}

TEST(Redactor, NodeNamesAsWholeNamesOnly)
{
  Redactor r({ "cp-1", "cp-10" });
  EXPECT_EQ(r.redact("cp-10 cp-1 kcp-1 kube-apiserver-cp-1 cp-1.example.com"),
            "REDACTED-NODE-1 REDACTED-NODE-2 kcp-1 kube-apiserver-REDACTED-NODE-2 REDACTED-NODE-2.example.com");
}

TEST(Redactor, SecretsInYamlAndJsonForms)
{
  Redactor r;
  EXPECT_EQ(r.redact(R"({"token":"abcdef123456","client-key-data": "QUJDREVGRw=="})"),
            R"({"token":"REDACTED-CREDENTIAL-1","client-key-data": "REDACTED-CREDENTIAL-2"})");
  EXPECT_EQ(r.redact("key: \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE\\n-----END EC PRIVATE KEY-----\\n\""),
            "key: \"REDACTED-PEM-KEY-1\\n\"");
  // A certificate is public and stays.
  EXPECT_EQ(r.redact("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
  EXPECT_EQ(r.redact("authorization: bearer abc.DEF_123"), "authorization: bearer REDACTED-TOKEN-1");
}

TEST(Redactor, TheMapQuotesAsCsvDoes)
{
  Redactor r;
  r.redact("-----BEGIN PRIVATE KEY-----\n\"x\",y\n-----END PRIVATE KEY-----");
  EXPECT_EQ(r.map_csv(),
            "replacement,kind,original\n"
            "REDACTED-PEM-KEY-1,PEM-KEY,\"-----BEGIN PRIVATE KEY-----\n\"\"x\"\",y\n-----END PRIVATE KEY-----\"\n");
}

} // namespace
} // namespace ocne::diag
