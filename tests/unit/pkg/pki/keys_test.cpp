#include "pkg/pki/keys.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <set>
#include <vector>

namespace ocne::pki {
namespace {

TEST(Keys, BootstrapTokensHaveKubeadmShapeAndDiffer)
{
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto token = make_bootstrap_token();
    ASSERT_TRUE(token);
    EXPECT_TRUE(is_bootstrap_token(token->reveal())) << token->reveal();
    seen.insert(token->reveal());
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Keys, BootstrapTokenShapeCheck)
{
  EXPECT_TRUE(is_bootstrap_token("abcdef.0123456789abcdef"));
  EXPECT_FALSE(is_bootstrap_token("ABCDEF.0123456789abcdef"));
  EXPECT_FALSE(is_bootstrap_token("abcdef0123456789abcdef"));
  EXPECT_FALSE(is_bootstrap_token("abcde.0123456789abcdefg"));
}

TEST(Keys, RandomHexLengthAndAlphabet)
{
  auto key = random_hex(32);
  ASSERT_TRUE(key);
  ASSERT_EQ(key->reveal().size(), 64u);
  EXPECT_EQ(key->reveal().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(key->reveal(), random_hex(32)->reveal());
}

// Signs with the private key PEM and verifies with the public key PEM.
bool
public_key_verifies_private_signature(const std::string& private_pem, const std::string& public_pem)
{
  const std::unique_ptr<BIO, decltype(&BIO_free)> priv_bio(
    BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), &BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> priv(
    PEM_read_bio_PrivateKey(priv_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  const std::unique_ptr<BIO, decltype(&BIO_free)> pub_bio(
    BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())), &BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pub(
    PEM_read_bio_PUBKEY(pub_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!priv || !pub) {
    return false;
  }
  const std::string message = "ocne key pair check";
  std::vector<unsigned char> signature(static_cast<std::size_t>(EVP_PKEY_get_size(priv.get())));
  std::size_t length = signature.size();
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sign(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, priv.get()) != 1 ||
      EVP_DigestSign(sign.get(),
                     signature.data(),
                     &length,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return false;
  }
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> verify(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(verify.get(), nullptr, EVP_sha256(), nullptr, pub.get()) == 1 &&
         EVP_DigestVerify(verify.get(),
                          signature.data(),
                          length,
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

TEST(Keys, PublicKeyFromPrivate)
{
  auto key = make_rsa_key();
  ASSERT_TRUE(key);
  EXPECT_NE(key->reveal().find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  auto pub = public_key_pem(*key);
  ASSERT_TRUE(pub);
  EXPECT_NE(pub->find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
  // The public key is the private key's own: a signature made with one
  // verifies with the other, and not with another key's public half.
  EXPECT_TRUE(public_key_verifies_private_signature(key->reveal(), *pub));
  auto other = make_rsa_key();
  ASSERT_TRUE(other);
  auto other_pub = public_key_pem(*other);
  ASSERT_TRUE(other_pub);
  EXPECT_NE(*other_pub, *pub);
  EXPECT_FALSE(public_key_verifies_private_signature(key->reveal(), *other_pub));
}

TEST(Keys, ErrorsAreValues)
{
  auto small = make_rsa_key(1024);
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().message(), "refusing to make an RSA key of 1024 bits (at least 2048)");
  auto pub = public_key_pem(Secret("nonsense"));
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().message().rfind("cannot parse the private key", 0), 0u);
}

} // namespace
} // namespace ocne::pki
