#include "pkg/libvirt/xml.hpp"

#include <libxml/parser.h>
#include <libxml/xpath.h>

namespace ocne::libvirt {

struct XmlDoc::Impl
{
  xmlDocPtr doc = nullptr;
  ~Impl()
  {
    if (doc != nullptr) {
      xmlFreeDoc(doc);
    }
  }
};

XmlDoc::XmlDoc(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
}
XmlDoc::XmlDoc(XmlDoc&&) noexcept = default;
XmlDoc& XmlDoc::operator=(XmlDoc&&) noexcept = default;
XmlDoc::~XmlDoc() = default;

Result<XmlDoc>
XmlDoc::parse(std::string_view text, std::string_view what)
{
  auto impl = std::make_unique<Impl>();
  impl->doc = xmlReadMemory(text.data(),
                            static_cast<int>(text.size()),
                            "libvirt.xml",
                            nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (impl->doc == nullptr) {
    return make_error(ErrorKind::io, "{} is not well-formed XML", what);
  }
  return XmlDoc(std::move(impl));
}

namespace {

struct XPathResult
{
  xmlXPathContextPtr context = nullptr;
  xmlXPathObjectPtr object = nullptr;
  ~XPathResult()
  {
    if (object != nullptr) {
      xmlXPathFreeObject(object);
    }
    if (context != nullptr) {
      xmlXPathFreeContext(context);
    }
  }
};

std::string
node_text(xmlNodePtr node)
{
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return out;
}

void
evaluate(xmlDocPtr doc, std::string_view xpath, XPathResult& result)
{
  result.context = xmlXPathNewContext(doc);
  if (result.context == nullptr) {
    return;
  }
  const std::string expr(xpath);
  result.object = xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(expr.c_str()), result.context);
}

} // namespace

std::vector<std::string>
XmlDoc::texts(std::string_view xpath) const
{
  XPathResult r;
  evaluate(m_impl->doc, xpath, r);
  std::vector<std::string> out;
  if (r.object == nullptr || r.object->type != XPATH_NODESET || r.object->nodesetval == nullptr) {
    return out;
  }
  for (int i = 0; i < r.object->nodesetval->nodeNr; ++i) {
    out.push_back(node_text(r.object->nodesetval->nodeTab[i]));
  }
  return out;
}

std::optional<std::string>
XmlDoc::text(std::string_view xpath) const
{
  auto all = texts(xpath);
  if (all.empty()) {
    return std::nullopt;
  }
  return std::move(all.front());
}

std::size_t
XmlDoc::count(std::string_view xpath) const
{
  return texts(xpath).size();
}

std::string
xml_escape(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

} // namespace ocne::libvirt
