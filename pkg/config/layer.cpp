#include "pkg/config/layer.hpp"

#include "pkg/config/schema.hpp"
#include "pkg/core/fs.hpp"
#include "pkg/core/strings.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace ocne::config {

namespace {

// The first control character in s (other than tab, newline and carriage
// return, which multi-line values such as sshPublicKey or inline Ignition
// hold), or -1. No setting needs one, and yaml-cpp's writer cannot round-trip
// some of them (found by the fuzzer).
int
first_control_char(std::string_view s)
{
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f) {
      return b;
    }
  }
  return -1;
}

// Edit distance, for "did you mean" hints on misspelt keys.
std::size_t
distance(std::string_view a, std::string_view b)
{
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same =
        std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({ row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1) });
      diag = up;
    }
  }
  return row[b.size()];
}

std::string
suggestion(std::string_view key)
{
  std::string best;
  std::size_t best_distance = 3; // only close matches
  const auto consider = [&](std::string_view candidate) {
    const auto d = distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  };
  for (const auto& f : fields()) {
    consider(f.key);
    // Also the groups, so "provider.oci.x" suggests "providers.oci.x"'s group.
    for (auto k = std::string_view(f.key); k.rfind('.') != std::string_view::npos;) {
      k = k.substr(0, k.rfind('.'));
      consider(k);
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

bool
ignored_companion_key(std::string_view key)
{
  // ocne writes companion keys such as headlessfake or quiteFake into its
  // cache; configs copied from `ocne cluster show -a` carry them. Skip them.
  const auto leaf = key.substr(key.rfind('.') == std::string_view::npos ? 0 : key.rfind('.') + 1);
  return str::ends_with(str::to_lower(leaf), "fake");
}

class Parser
{
public:
  Parser(const std::string& name, FileKind kind, Layer& layer) : m_name(name), m_kind(kind), m_layer(layer)
  {
  }

  // Collected errors (all reported at once).
  std::vector<std::string> errors;

  void
  walk(const YAML::Node& map, const std::string& prefix)
  {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const int line = kv.first.Mark().line + 1;
      if (!kv.first.IsScalar()) {
        error(line, "keys must be plain names");
        continue;
      }
      const auto key = kv.first.as<std::string>();
      const auto full = prefix.empty() ? key : prefix + "." + key;
      if (!seen.insert(key).second) {
        error(line, fmt::format("duplicate key '{}'", full));
        continue;
      }
      if (ignored_companion_key(full)) {
        continue;
      }
      const auto canonical = std::string(canonical_key(full));
      if (const Field* field = find_field(canonical)) {
        if (in_scope(*field, full, line)) {
          read_field(*field, kv.second, line);
        }
      } else if (is_group(canonical)) {
        if (kv.second.IsMap()) {
          walk(kv.second, canonical);
        } else if (!kv.second.IsNull()) {
          error(line, fmt::format("'{}' must be a mapping of keys", full));
        }
      } else if (m_kind == FileKind::defaults) {
        error(line, fmt::format("unknown key '{}'{}", full, suggestion(full)));
      } else if (m_kind == FileKind::cluster) {
        warning(line, fmt::format("unknown key '{}' is ignored{}", full, suggestion(full)));
      }
    }
  }

private:
  void
  error(int line, const std::string& what)
  {
    errors.push_back(fmt::format("{}:{}: {}", m_name, line, what));
  }

  void
  warning(int line, const std::string& what)
  {
    m_layer.warnings.push_back(fmt::format("{}:{}: {}", m_name, line, what));
  }

  bool
  in_scope(const Field& field, const std::string& key, int line)
  {
    if (m_kind == FileKind::defaults && (field.scope & k_defaults_file) == 0) {
      // ocne's docs list these two as valid defaults; its code refused them.
      if (field.key == "clusterDefinition" || field.key == "clusterDefinitionInline") {
        return true;
      }
      error(line, fmt::format("'{}' belongs in a cluster file, not in the defaults file", key));
      return false;
    }
    if (m_kind == FileKind::cluster && (field.scope & k_cluster_file) == 0) {
      warning(line, fmt::format("'{}' is only read from the defaults file and flags; ignored here", key));
      return false;
    }
    return true;
  }

  void
  record(const Field& field, int line)
  {
    Origin o;
    o.source = m_kind == FileKind::defaults  ? Origin::Source::defaults_file
               : m_kind == FileKind::cluster ? Origin::Source::cluster_file
                                             : Origin::Source::cache;
    o.file = m_name;
    o.line = line;
    m_layer.origins[std::string(field.key)] = o;
  }

  bool
  scalar(const YAML::Node& value, const Field& field, int line, std::string& out)
  {
    if (!value.IsScalar()) {
      error(
        line,
        fmt::format("{} must be a {}, not a {}", field.key, to_string(field.kind), value.IsMap() ? "mapping" : "list"));
      return false;
    }
    out = value.Scalar();
    return no_control_chars(out, field.key, line);
  }

  bool
  no_control_chars(std::string_view text, std::string_view what, int line)
  {
    if (const int c = first_control_char(text); c >= 0) {
      error(line, fmt::format("{} holds a control character (byte 0x{:02x}), which no setting can hold", what, c));
      return false;
    }
    return true;
  }

  void
  read_field(const Field& field, const YAML::Node& value, int line)
  {
    if (value.IsNull()) {
      return; // "key:" or "key: ~" means not set
    }
    auto ref = field.ref(m_layer.config);
    std::string text;
    switch (field.kind) {
      case Kind::string: {
        if (!scalar(value, field, line, text) || text.empty()) {
          return;
        }
        *std::get<Str*>(ref) = text;
        break;
      }
      case Kind::integer: {
        if (!scalar(value, field, line, text)) {
          return;
        }
        std::int64_t n = 0;
        const auto t = str::trim(text);
        const auto* begin = t.data() + (str::starts_with(t, "+") ? 1 : 0);
        const auto [ptr, ec] = std::from_chars(begin, t.data() + t.size(), n);
        if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
          error(line, fmt::format("{} must be an integer, got {}", field.key, str::quote(text)));
          return;
        }
        if (n < field.min || n > field.max) {
          error(line, fmt::format("{} must be between {} and {}, got {}", field.key, field.min, field.max, n));
          return;
        }
        *std::get<Int*>(ref) = n;
        break;
      }
      case Kind::boolean: {
        if (!scalar(value, field, line, text)) {
          return;
        }
        const auto lower = str::to_lower(text);
        if (lower == "true" || lower == "yes" || lower == "on") {
          *std::get<Bool*>(ref) = true;
        } else if (lower == "false" || lower == "no" || lower == "off") {
          *std::get<Bool*>(ref) = false;
        } else {
          error(line, fmt::format("{} must be true or false, got {}", field.key, str::quote(text)));
          return;
        }
        break;
      }
      case Kind::string_list: {
        if (!value.IsSequence()) {
          error(line, fmt::format("{} must be a list of strings", field.key));
          return;
        }
        std::vector<std::string> items;
        for (const auto& item : value) {
          if (!item.IsScalar()) {
            error(item.Mark().line + 1, fmt::format("{} must be a list of strings", field.key));
            return;
          }
          if (!no_control_chars(item.Scalar(), field.key, item.Mark().line + 1)) {
            return;
          }
          items.push_back(item.Scalar());
        }
        *std::get<StrList*>(ref) = items;
        break;
      }
      case Kind::catalogs:
        read_catalogs(field, value, line, *std::get<std::vector<Catalog>*>(ref));
        break;
      case Kind::applications:
        read_applications(field, value, line, *std::get<std::vector<Application>*>(ref));
        break;
      case Kind::yaml: {
        YAML::Emitter out;
        out << value;
        *std::get<Str*>(ref) = std::string(out.c_str());
        break;
      }
    }
    record(field, line);
  }

  // Reads the string members of one list item by name; unknown names follow
  // the file's unknown-key rule.
  bool
  read_item(const YAML::Node& item,
            const std::string& list_key,
            std::size_t index,
            const std::vector<std::pair<std::string_view, std::string*>>& members,
            std::string* any_yaml_member,
            std::string_view any_yaml_name)
  {
    if (!item.IsMap()) {
      error(item.Mark().line + 1, fmt::format("{}[{}] must be a mapping", list_key, index));
      return false;
    }
    for (const auto& kv : item) {
      const auto name = kv.first.as<std::string>();
      const int line = kv.first.Mark().line + 1;
      if (any_yaml_member != nullptr && name == any_yaml_name) {
        YAML::Emitter out;
        out << kv.second;
        *any_yaml_member = out.c_str();
        continue;
      }
      const auto it = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.first == name; });
      if (it == members.end()) {
        const auto what = fmt::format("unknown key '{}' in {}[{}]", name, list_key, index);
        if (m_kind == FileKind::defaults) {
          error(line, what);
        } else if (m_kind == FileKind::cluster) {
          warning(line, what + " is ignored");
        }
        continue;
      }
      if (!kv.second.IsScalar() && !kv.second.IsNull()) {
        error(line, fmt::format("{}[{}].{} must be a string", list_key, index, name));
        continue;
      }
      if (kv.second.IsScalar() &&
          !no_control_chars(kv.second.Scalar(), fmt::format("{}[{}].{}", list_key, index, name), line)) {
        continue;
      }
      *it->second = kv.second.IsNull() ? std::string() : kv.second.Scalar();
    }
    return true;
  }

  void
  read_catalogs(const Field& field, const YAML::Node& value, int line, std::vector<Catalog>& out)
  {
    if (!value.IsSequence()) {
      error(line, fmt::format("{} must be a list", field.key));
      return;
    }
    std::size_t i = 0;
    for (const auto& item : value) {
      Catalog c;
      if (read_item(
            item,
            std::string(field.key),
            i++,
            { { "name", &c.name }, { "uri", &c.uri }, { "protocol", &c.protocol }, { "namespace", &c.namespace_ } },
            nullptr,
            "")) {
        out.push_back(c);
      }
    }
  }

  void
  read_applications(const Field& field, const YAML::Node& value, int line, std::vector<Application>& out)
  {
    if (!value.IsSequence()) {
      error(line, fmt::format("{} must be a list", field.key));
      return;
    }
    std::size_t i = 0;
    for (const auto& item : value) {
      Application a;
      if (read_item(item,
                    std::string(field.key),
                    i++,
                    { { "name", &a.name },
                      { "release", &a.release },
                      { "version", &a.version },
                      { "catalog", &a.catalog },
                      { "namespace", &a.namespace_ },
                      { "configFrom", &a.config_from } },
                    &a.config,
                    "config")) {
        out.push_back(a);
      }
    }
  }

  const std::string& m_name;
  FileKind m_kind;
  Layer& m_layer;
};

void
resolve_paths(Layer& layer, const std::filesystem::path& base_dir, const std::filesystem::path& home)
{
  for (const auto& f : fields()) {
    if ((f.treatment & k_path) == 0 || f.kind != Kind::string) {
      continue;
    }
    auto* s = field_ptr<Str>(layer.config, f);
    if (s != nullptr && s->is_set()) {
      *s = fs::resolve_path(s->get(), base_dir, home).string();
    }
  }
  for (auto& app : layer.config.applications) {
    if (!app.config_from.empty()) {
      app.config_from = fs::resolve_path(app.config_from, base_dir, home).string();
    }
  }
}

} // namespace

Status
set_from_text(Layer& layer, std::string_view key, std::string_view text, const Origin& origin)
{
  const Field* field = find_field(key);
  if (field == nullptr) {
    return make_error(ErrorKind::internal, "no configuration key '{}'", key);
  }
  const auto subject = origin.source == Origin::Source::flag ? origin.flag : std::string(field->key);
  if (text.empty()) {
    return {};
  }
  auto ref = field->ref(layer.config);
  switch (field->kind) {
    case Kind::string:
      *std::get<Str*>(ref) = std::string(text);
      break;
    case Kind::integer: {
      std::int64_t n = 0;
      const auto t = str::trim(text);
      const auto* begin = t.data() + (str::starts_with(t, "+") ? 1 : 0);
      const auto [ptr, ec] = std::from_chars(begin, t.data() + t.size(), n);
      if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
        return make_error(ErrorKind::invalid_input, "{} must be an integer, got {}", subject, str::quote(text));
      }
      if (n < field->min || n > field->max) {
        return make_error(
          ErrorKind::invalid_input, "{} must be between {} and {}, got {}", subject, field->min, field->max, n);
      }
      *std::get<Int*>(ref) = n;
      break;
    }
    case Kind::boolean: {
      const auto lower = str::to_lower(text);
      if (lower == "true" || lower == "yes" || lower == "on") {
        *std::get<Bool*>(ref) = true;
      } else if (lower == "false" || lower == "no" || lower == "off") {
        *std::get<Bool*>(ref) = false;
      } else {
        return make_error(ErrorKind::invalid_input, "{} must be true or false, got {}", subject, str::quote(text));
      }
      break;
    }
    case Kind::string_list:
      *std::get<StrList*>(ref) = str::split_trimmed(text, ',');
      break;
    default:
      return make_error(ErrorKind::internal, "'{}' cannot be set from a flag", key);
  }
  layer.origins[std::string(field->key)] = origin;
  return {};
}

std::string
Origin::describe() const
{
  switch (source) {
    case Source::defaults_file:
    case Source::cluster_file:
    case Source::cache:
      return line > 0 ? fmt::format("{}:{}", file, line) : file;
    case Source::flag:
      return flag;
    case Source::computed:
      return "computed default";
    case Source::builtin:
      break;
  }
  return "built-in default";
}

Result<Layer>
parse_config(std::string_view text,
             const std::string& display_name,
             FileKind kind,
             const std::filesystem::path& base_dir,
             const std::filesystem::path& home)
{
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    return make_error(ErrorKind::invalid_input, "{}:{}: {}", display_name, line, e.msg);
  }
  Layer layer;
  if (!root || root.IsNull()) {
    return layer;
  }
  if (!root.IsMap()) {
    return make_error(
      ErrorKind::invalid_input, "{}:{}: expected a mapping of configuration keys", display_name, root.Mark().line + 1);
  }
  Parser parser(display_name, kind, layer);
  try {
    parser.walk(root, "");
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::invalid_input, "{}:{}: {}", display_name, e.mark.line + 1, e.msg);
  }
  if (!parser.errors.empty()) {
    return make_error(ErrorKind::invalid_input, "{}", str::join(parser.errors, "\n"));
  }
  // Relative paths follow the `directory:` key when the file sets one.
  std::filesystem::path base = base_dir;
  if (layer.config.directory.is_set()) {
    base = fs::resolve_path(layer.config.directory.get(), base_dir, home);
  }
  resolve_paths(layer, base, home);
  return layer;
}

Result<Layer>
load_config_file(const std::filesystem::path& path,
                 const std::string& display_name,
                 FileKind kind,
                 const std::filesystem::path& home)
{
  auto text = fs::read_file(path, 16ULL << 20);
  if (!text) {
    // fs errors start with the path; show the name the user gave instead.
    auto message = text.error().message();
    if (str::starts_with(message, path.string())) {
      message = display_name + message.substr(path.string().size());
    }
    return make_error(Error(text.error().kind(), message));
  }
  auto dir = std::filesystem::absolute(path).parent_path();
  OCNE_TRY_ASSIGN(auto layer, parse_config(*text, display_name, kind, dir, home));
  if (kind == FileKind::cluster && !layer.config.directory.is_set()) {
    // As ocne: the cluster file's folder is the working directory.
    layer.config.directory = dir.lexically_normal().string();
    layer.origins["directory"] = Origin{ Origin::Source::computed, display_name, 0, "" };
  }
  return layer;
}

Layer
builtin_defaults()
{
  Layer layer;
  for (const auto& f : fields()) {
    if (f.default_value.empty()) {
      continue;
    }
    auto ref = f.ref(layer.config);
    switch (f.kind) {
      case Kind::string:
        *std::get<Str*>(ref) = std::string(f.default_value);
        break;
      case Kind::integer: {
        std::int64_t n = 0;
        std::from_chars(f.default_value.data(), f.default_value.data() + f.default_value.size(), n);
        *std::get<Int*>(ref) = n;
        break;
      }
      case Kind::boolean:
        *std::get<Bool*>(ref) = f.default_value == "true";
        break;
      default:
        continue;
    }
    layer.origins[std::string(f.key)] = Origin{};
  }
  return layer;
}

void
merge_into(Layer& base, const Layer& over)
{
  auto& b = base.config;
  auto& o = const_cast<ClusterConfig&>(over.config); // read only; the table hands out mutable refs
  for (const auto& f : fields()) {
    auto bref = f.ref(b);
    auto oref = f.ref(o);
    bool taken = false;
    switch (f.kind) {
      case Kind::string:
      case Kind::yaml:
        if (std::get<Str*>(oref)->is_set()) {
          *std::get<Str*>(bref) = std::get<Str*>(oref)->get();
          taken = true;
        }
        break;
      case Kind::integer:
        if (std::get<Int*>(oref)->is_set()) {
          *std::get<Int*>(bref) = std::get<Int*>(oref)->get();
          taken = true;
        }
        break;
      case Kind::boolean:
        if (std::get<Bool*>(oref)->is_set()) {
          *std::get<Bool*>(bref) = std::get<Bool*>(oref)->get();
          taken = true;
        }
        break;
      case Kind::string_list: {
        auto* from = std::get<StrList*>(oref);
        if (from->is_set()) {
          auto& into = std::get<StrList*>(bref)->mutable_value();
          for (const auto& item : from->get()) {
            if (std::find(into.begin(), into.end(), item) == into.end()) {
              into.push_back(item);
            }
          }
          taken = true;
        }
        break;
      }
      case Kind::catalogs: {
        auto* from = std::get<std::vector<Catalog>*>(oref);
        auto* into = std::get<std::vector<Catalog>*>(bref);
        into->insert(into->end(), from->begin(), from->end());
        taken = !from->empty();
        break;
      }
      case Kind::applications: {
        auto* from = std::get<std::vector<Application>*>(oref);
        auto* into = std::get<std::vector<Application>*>(bref);
        into->insert(into->end(), from->begin(), from->end());
        taken = !from->empty();
        break;
      }
    }
    if (taken) {
      if (const auto it = over.origins.find(f.key); it != over.origins.end()) {
        base.origins[std::string(f.key)] = it->second;
      }
    }
  }
  base.warnings.insert(base.warnings.end(), over.warnings.begin(), over.warnings.end());
}

std::string
to_yaml(const ClusterConfig& config)
{
  // Build a node tree in table order, then emit it.
  YAML::Node root(YAML::NodeType::Map);
  auto& c = const_cast<ClusterConfig&>(config);
  const auto place = [&root](std::string_view key) -> YAML::Node {
    auto parts = str::split(key, '.');
    YAML::Node node = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      node.reset(node[parts[i]]);
    }
    return node[parts.back()];
  };
  for (const auto& f : fields()) {
    auto ref = f.ref(c);
    switch (f.kind) {
      case Kind::string:
        if (std::get<Str*>(ref)->is_set()) {
          place(f.key) = std::get<Str*>(ref)->get();
        }
        break;
      case Kind::yaml:
        if (std::get<Str*>(ref)->is_set()) {
          place(f.key) = YAML::Load(std::get<Str*>(ref)->get());
        }
        break;
      case Kind::integer:
        if (std::get<Int*>(ref)->is_set()) {
          place(f.key) = std::get<Int*>(ref)->get();
        }
        break;
      case Kind::boolean:
        if (std::get<Bool*>(ref)->is_set()) {
          place(f.key) = std::get<Bool*>(ref)->get();
        }
        break;
      case Kind::string_list:
        if (std::get<StrList*>(ref)->is_set()) {
          YAML::Node list(YAML::NodeType::Sequence);
          for (const auto& s : std::get<StrList*>(ref)->get()) {
            list.push_back(s);
          }
          place(f.key) = list;
        }
        break;
      case Kind::catalogs: {
        const auto& items = *std::get<std::vector<Catalog>*>(ref);
        if (!items.empty()) {
          YAML::Node list(YAML::NodeType::Sequence);
          for (const auto& i : items) {
            YAML::Node n(YAML::NodeType::Map);
            n["name"] = i.name;
            n["uri"] = i.uri;
            n["protocol"] = i.protocol;
            n["namespace"] = i.namespace_;
            list.push_back(n);
          }
          place(f.key) = list;
        }
        break;
      }
      case Kind::applications: {
        const auto& items = *std::get<std::vector<Application>*>(ref);
        if (!items.empty()) {
          YAML::Node list(YAML::NodeType::Sequence);
          for (const auto& i : items) {
            YAML::Node n(YAML::NodeType::Map);
            n["name"] = i.name;
            n["release"] = i.release;
            n["version"] = i.version;
            n["catalog"] = i.catalog;
            n["namespace"] = i.namespace_;
            if (!i.config.empty()) {
              n["config"] = YAML::Load(i.config);
            }
            if (!i.config_from.empty()) {
              n["configFrom"] = i.config_from;
            }
            list.push_back(n);
          }
          place(f.key) = list;
        }
        break;
      }
    }
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

} // namespace ocne::config
