#pragma once

// Reading the XML libvirt hands back (capabilities, pool, volume, network and
// domain descriptions) with XPath, and escaping text for XML we write.

#include "pkg/core/error.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocne::libvirt {

class XmlDoc
{
public:
  // what names the document in errors ("the capabilities of qemu:///system").
  static Result<XmlDoc> parse(std::string_view text, std::string_view what);
  XmlDoc(XmlDoc&&) noexcept;
  XmlDoc& operator=(XmlDoc&&) noexcept;
  ~XmlDoc();

  // The string value of the first match ("string(...)" semantics); nullopt
  // when nothing matches.
  std::optional<std::string> text(std::string_view xpath) const;
  // The string values of every matching node.
  std::vector<std::string> texts(std::string_view xpath) const;
  // Number of matching nodes.
  std::size_t count(std::string_view xpath) const;

private:
  struct Impl;
  explicit XmlDoc(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// Escapes &, <, >, ' and " for element text and attribute values.
std::string xml_escape(std::string_view text);

} // namespace ocne::libvirt
