#pragma once

// Private keys and the random secrets a cluster needs (kubeadm bootstrap
// token, certificate key for --upload-certs). Keys travel as PEM text held in
// Secret; OpenSSL types stay inside pkg/pki.

#include "pkg/core/error.hpp"
#include "pkg/core/secret.hpp"

#include <cstddef>
#include <string>

namespace ocne::pki {

// A new RSA private key (PKCS#8 PEM). ocne and kubeadm use 2048 bits.
Result<Secret> make_rsa_key(int bits = 2048);

// The public half of a PEM private key, as a "PUBLIC KEY" (PKIX) PEM block.
Result<std::string> public_key_pem(const Secret& private_key_pem);

// count random bytes from the OpenSSL CSPRNG, hex encoded (2*count characters).
Result<Secret> random_hex(std::size_t count);

// A kubeadm bootstrap token: "[a-z0-9]{6}.[a-z0-9]{16}".
Result<Secret> make_bootstrap_token();

// Whether text has the bootstrap token shape.
bool is_bootstrap_token(std::string_view text);

} // namespace ocne::pki
