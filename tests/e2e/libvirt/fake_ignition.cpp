// ocne-fake-ignition: the part of Ignition a fake node needs. Runs inside the
// test VM's initramfs: applies the files, directories, units and drop-ins of
// an Ignition config to a root folder, so the node's /init can read
// /etc/hostname, the kubeadm config and the cluster CA the way a real node
// would find them. Built static for the initramfs (see CMakeLists.txt).
//
// usage: ocne-fake-ignition CONFIG.json ROOT

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

int
hex(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string
unbase64(const std::string& in)
{
  static const std::string k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    const auto pos = k.find(c);
    if (pos == std::string::npos) {
      continue;
    }
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::string
data_url(const std::string& url)
{
  const auto comma = url.find(',');
  if (url.rfind("data:", 0) != 0 || comma == std::string::npos) {
    throw std::runtime_error("not a data URL: " + url.substr(0, 40));
  }
  const bool b64 = url.substr(0, comma).find(";base64") != std::string::npos;
  std::string raw;
  for (std::size_t i = comma + 1; i < url.size(); ++i) {
    if (url[i] == '%' && i + 2 < url.size() && hex(url[i + 1]) >= 0 && hex(url[i + 2]) >= 0) {
      raw.push_back(static_cast<char>(hex(url[i + 1]) * 16 + hex(url[i + 2])));
      i += 2;
    } else {
      raw.push_back(url[i]);
    }
  }
  return b64 ? unbase64(raw) : raw;
}

void
make_parents(const std::string& path)
{
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/') {
      const std::string dir = path.substr(0, i);
      if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        throw std::runtime_error("mkdir " + dir + ": " + std::strerror(errno));
      }
    }
  }
}

void
write_file(const std::string& path, const std::string& contents, unsigned mode)
{
  make_parents(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
  out.close();
  chmod(path.c_str(), mode);
}

} // namespace

int
main(int argc, char** argv)
{
  if (argc != 3) {
    std::cerr << "usage: ocne-fake-ignition CONFIG.json ROOT\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1]);
    std::stringstream text;
    text << in.rdbuf();
    const auto config = nlohmann::json::parse(text.str());
    const std::string root = std::string(argv[2]) == "/" ? "" : argv[2];
    int files = 0;
    int units = 0;
    const auto storage = config.value("storage", nlohmann::json::object());
    for (const auto& d : storage.value("directories", nlohmann::json::array())) {
      make_parents(root + d["path"].get<std::string>() + "/");
    }
    for (const auto& f : storage.value("files", nlohmann::json::array())) {
      std::string contents;
      if (f.contains("contents") && f["contents"].contains("source") && f["contents"]["source"].is_string()) {
        contents = data_url(f["contents"]["source"].get<std::string>());
      }
      write_file(root + f["path"].get<std::string>(), contents, f.value("mode", 0644));
      ++files;
    }
    const auto systemd = config.value("systemd", nlohmann::json::object());
    for (const auto& u : systemd.value("units", nlohmann::json::array())) {
      const std::string name = u["name"].get<std::string>();
      if (u.contains("contents")) {
        write_file(root + "/etc/systemd/system/" + name, u["contents"].get<std::string>(), 0644);
      }
      for (const auto& d : u.value("dropins", nlohmann::json::array())) {
        write_file(
          root + "/etc/systemd/system/" + name + ".d/" + d["name"].get<std::string>(), d.value("contents", ""), 0644);
      }
      ++units;
    }
    std::cout << "OCNE-FAKE-IGNITION applied " << files << " files and " << units << " units\n";
  } catch (const std::exception& e) {
    std::cerr << "OCNE-FAKE-IGNITION failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
