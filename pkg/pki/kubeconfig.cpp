#include "pkg/pki/kubeconfig.hpp"

#include "pkg/pki/ip.hpp"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <vector>

namespace ocne::pki {

namespace {

std::string
base64(std::string_view data)
{
  if (data.empty()) {
    return {};
  }
  std::vector<unsigned char> out(4 * ((data.size() + 2) / 3) + 1);
  const int n =
    EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

} // namespace

std::string
server_url(std::string_view host, unsigned port)
{
  const auto ip = IpAddress::parse(host);
  return fmt::format("https://{}:{}", ip ? ip->url_host() : std::string(host), port);
}

Secret
render_kubeconfig(const KubeconfigSpec& spec)
{
  const std::string context = spec.user_name + "@" + spec.cluster_name;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Config";
  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.cluster_name;
  out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << spec.server;
  out << YAML::Key << "certificate-authority-data" << YAML::Value << base64(spec.ca_pem);
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.user_name;
  out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "client-certificate-data" << YAML::Value << base64(spec.client_cert_pem);
  out << YAML::Key << "client-key-data" << YAML::Value << base64(spec.client_key_pem.reveal());
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << context;
  out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << spec.cluster_name;
  out << YAML::Key << "user" << YAML::Value << spec.user_name;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "current-context" << YAML::Value << context;
  out << YAML::Key << "preferences" << YAML::Value << YAML::BeginMap << YAML::EndMap;
  out << YAML::EndMap;
  std::string text = out.c_str();
  text += '\n';
  return Secret(std::move(text));
}

Status
write_kubeconfig(const fs::Path& path, const KubeconfigSpec& spec)
{
  if (path.has_parent_path()) {
    OCNE_TRY(fs::ensure_dir(path.parent_path(), fs::k_private_dir));
  }
  return fs::write_file_atomic(path, render_kubeconfig(spec).reveal(), fs::k_private);
}

} // namespace ocne::pki
