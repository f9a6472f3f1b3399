#include "pkg/ignition/data_url.hpp"

#include <gtest/gtest.h>

namespace ocne::ignition {
namespace {

TEST(DataUrl, TextIsPercentEncoded)
{
  EXPECT_EQ(make_data_url("a b\n"), "data:,a%20b%0A");
  EXPECT_EQ(*decode_data_url("data:,a%20b%0A"), "a b\n");
}

TEST(DataUrl, BinaryIsBase64)
{
  const std::string binary("\x00\x01\x02\xff\xfe\x80\x81\x82\x83", 9);
  const auto url = make_data_url(binary);
  EXPECT_EQ(url, "data:;base64,AAEC//6AgYKD");
  EXPECT_EQ(*decode_data_url(url), binary);
}

TEST(DataUrl, RoundTripsEveryByte)
{
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  EXPECT_EQ(*decode_data_url(make_data_url(all)), all);
  EXPECT_EQ(*decode_data_url(make_data_url("")), "");
}

TEST(DataUrl, MediaTypeAndCharsetAreAccepted)
{
  EXPECT_EQ(*decode_data_url("data:text/plain;charset=utf-8;base64,aGk="), "hi");
  EXPECT_EQ(*decode_data_url("data:text/plain,hi"), "hi");
}

TEST(DataUrl, Errors)
{
  EXPECT_EQ(decode_data_url("http://x").error().message(), "not a data URL");
  EXPECT_EQ(decode_data_url("data:abc").error().message(), "data URL has no ',' before its data");
  EXPECT_EQ(decode_data_url("data:,ab%2").error().message(), "data URL has an invalid %-escape at offset 8");
  EXPECT_EQ(decode_data_url("data:;base64,a*b").error().message(), "data URL has invalid base64 data");
}

} // namespace
} // namespace ocne::ignition
