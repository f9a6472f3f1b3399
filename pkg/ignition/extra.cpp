#include "pkg/ignition/extra.hpp"

#include "pkg/core/strings.hpp"
#include "pkg/ignition/data_url.hpp"
#include "pkg/ignition/merge.hpp"
#include "pkg/ignition/validate.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

namespace ocne::ignition {

using nlohmann::json;

namespace {

// Butane field names are snake_case; Ignition's are camelCase, with MiB kept.
std::string
camel_case(std::string_view key)
{
  std::string out;
  bool upper = false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (c == '_') {
      upper = true;
      continue;
    }
    if (upper && key.substr(i, 3) == "mib" && (i + 3 == key.size() || key[i + 3] == '_')) {
      out += "MiB";
      i += 2;
      upper = false;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

// A plain (unquoted) YAML scalar as JSON: bool, integer (decimal, 0x, 0o
// and YAML 1.1 leading-zero octal, as Butane reads modes like 0644), null,
// else string.
json
plain_scalar(const std::string& text)
{
  if (text == "true" || text == "True" || text == "TRUE") {
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return false;
  }
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.size() > 2 && digits[0] == '0' && digits[1] == 'o') {
    base = 8;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
    digits.remove_prefix(1);
  }
  long long value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size()) {
    return negative ? -value : value;
  }
  return text;
}

Result<json>
yaml_to_json(const YAML::Node& node, bool convert_keys, std::string_view origin)
{
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      return node.Tag() == "?" ? plain_scalar(node.Scalar()) : json(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) {
        OCNE_TRY_ASSIGN(auto value, yaml_to_json(item, convert_keys, origin));
        out.push_back(std::move(value));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        const auto key = kv.first.as<std::string>();
        OCNE_TRY_ASSIGN(auto value, yaml_to_json(kv.second, convert_keys, origin));
        out[convert_keys ? camel_case(key) : key] = std::move(value);
      }
      return out;
    }
  }
  return make_error(ErrorKind::invalid_input, "{}: unsupported YAML node", origin);
}

// contents.inline -> contents.source (a data URL); contents.local is not
// supported (it needs Butane's --files-dir).
Status
translate_contents(json& contents, const std::string& where, std::string_view origin)
{
  if (!contents.is_object()) {
    return {};
  }
  if (contents.contains("local")) {
    return make_error(ErrorKind::invalid_input,
                      "{}: {}.local is not supported; inline the contents or run butane --files-dir first",
                      origin,
                      where);
  }
  if (contents.contains("inline")) {
    if (contents.contains("source")) {
      return make_error(ErrorKind::invalid_input, "{}: {} has both inline and source", origin, where);
    }
    if (!contents["inline"].is_string()) {
      return make_error(ErrorKind::invalid_input, "{}: {}.inline must be a string", origin, where);
    }
    contents["source"] = make_data_url(contents["inline"].get<std::string>());
    contents.erase("inline");
  }
  return {};
}

} // namespace

Result<std::string>
butane_to_ignition(std::string_view yaml_text, std::string_view origin)
{
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::invalid_input, "{}:{}: {}", origin, e.mark.line + 1, e.msg);
  }
  if (!root.IsMap() || !root["variant"] || !root["version"]) {
    return make_error(ErrorKind::invalid_input,
                      "{}: neither Ignition JSON nor Butane YAML (Butane needs 'variant' and 'version')",
                      origin);
  }
  static const char* k_unsupported[] = { "boot_device", "grub" };
  for (const auto* key : k_unsupported) {
    if (root[key]) {
      return make_error(
        ErrorKind::invalid_input, "{}: Butane section '{}' is not supported; translate with butane first", origin, key);
    }
  }
  if (root["storage"] && root["storage"]["trees"]) {
    return make_error(ErrorKind::invalid_input,
                      "{}: Butane storage.trees is not supported; translate with butane --files-dir first",
                      origin);
  }
  json out;
  try {
    OCNE_TRY_ASSIGN(out, yaml_to_json(root, true, origin));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::invalid_input, "{}:{}: {}", origin, e.mark.line + 1, e.msg);
  }
  out.erase("variant");
  out.erase("version");
  if (out.contains("ignition") && out["ignition"].is_object() && out["ignition"].contains("version")) {
    return make_error(ErrorKind::invalid_input, "{}: a Butane config must not set ignition.version", origin);
  }
  out["ignition"]["version"] = "3.4.0";
  if (out.contains("storage") && out["storage"].is_object() && out["storage"].contains("files")) {
    auto& files = out["storage"]["files"];
    for (std::size_t i = 0; files.is_array() && i < files.size(); ++i) {
      if (files[i].contains("contents")) {
        OCNE_TRY(translate_contents(files[i]["contents"], fmt::format("storage.files[{}].contents", i), origin));
      }
      if (files[i].contains("append") && files[i]["append"].is_array()) {
        for (std::size_t j = 0; j < files[i]["append"].size(); ++j) {
          OCNE_TRY(
            translate_contents(files[i]["append"][j], fmt::format("storage.files[{}].append[{}]", i, j), origin));
        }
      }
    }
  }
  return out.dump();
}

Result<std::string>
parse_extra_ignition(std::string_view text, std::string_view origin)
{
  const auto trimmed = str::trim(text);
  std::string as_json;
  if (!trimmed.empty() && trimmed.front() == '{') {
    json parsed;
    try {
      parsed = json::parse(trimmed);
    } catch (const json::parse_error& e) {
      return make_error(ErrorKind::invalid_input, "{}: not valid JSON: {}", origin, e.what());
    }
    as_json = parsed.dump();
  } else {
    OCNE_TRY_ASSIGN(as_json, butane_to_ignition(text, origin));
  }
  OCNE_TRY(validate(as_json, origin, { .exact_version = false }));
  return as_json;
}

Result<std::vector<ExtraIgnition>>
load_extra_ignition(const fs::Path& path, std::string_view inline_text)
{
  std::vector<ExtraIgnition> out;
  if (!path.empty()) {
    std::error_code ec;
    std::vector<fs::Path> files;
    if (std::filesystem::is_directory(path, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        const auto ext = str::to_lower(entry.path().extension().string());
        if (entry.is_regular_file() &&
            (ext == ".ign" || ext == ".json" || ext == ".bu" || ext == ".yaml" || ext == ".yml")) {
          files.push_back(entry.path());
        }
      }
      if (ec) {
        return make_error(ErrorKind::io, "extraIgnition {}: {}", path.string(), ec.message());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      auto text = fs::read_file(file, 16ULL << 20);
      if (!text) {
        return tl::unexpected(text.error().with_context("extraIgnition"));
      }
      OCNE_TRY_ASSIGN(auto parsed, parse_extra_ignition(*text, file.string()));
      out.push_back({ file.string(), std::move(parsed) });
    }
  }
  if (!str::trim(inline_text).empty()) {
    OCNE_TRY_ASSIGN(auto parsed, parse_extra_ignition(inline_text, "extraIgnitionInline"));
    out.push_back({ "extraIgnitionInline", std::move(parsed) });
  }
  return out;
}

Result<std::string>
merge_extra(std::string base_json, const std::vector<ExtraIgnition>& extras)
{
  for (const auto& extra : extras) {
    OCNE_TRY_ASSIGN(base_json, merge_configs(base_json, extra.json, extra.origin));
  }
  if (!extras.empty()) {
    std::vector<std::string> origins;
    for (const auto& extra : extras) {
      origins.push_back(extra.origin);
    }
    OCNE_TRY(validate(base_json, "the node config merged with " + str::join(origins, ", ")));
  }
  return base_json;
}

} // namespace ocne::ignition
