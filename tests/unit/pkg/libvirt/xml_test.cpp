#include "pkg/libvirt/xml.hpp"

#include <gtest/gtest.h>

namespace ocne::libvirt {
namespace {

TEST(Xml, XPathQueries)
{
  auto doc = XmlDoc::parse(R"(<network><name>default</name><ip address='192.168.122.1' netmask='255.255.255.0'/>
    <ip family='ipv6' address='fd00::1' prefix='64'/></network>)",
                           "test");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->text("/network/name"), "default");
  EXPECT_EQ(doc->text("/network/ip[1]/@address"), "192.168.122.1");
  EXPECT_EQ(doc->count("/network/ip"), 2u);
  EXPECT_EQ(doc->texts("/network/ip/@address"), (std::vector<std::string>{ "192.168.122.1", "fd00::1" }));
  EXPECT_FALSE(doc->text("/network/bridge/@name"));
}

TEST(Xml, MalformedIsAnError)
{
  auto doc = XmlDoc::parse("<a><b></a>", "the capabilities of test:///default");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message(), "the capabilities of test:///default is not well-formed XML");
}

TEST(Xml, Escape)
{
  EXPECT_EQ(xml_escape(R"(a<b>&'c")"), "a&lt;b&gt;&amp;&apos;c&quot;");
}

} // namespace
} // namespace ocne::libvirt
