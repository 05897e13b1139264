// Strict base64 / base64url: RFC 4648 §10 vectors, and every way a text can be almost right.
#include "authgate/grammar/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "summary.hpp"

namespace authgate::grammar {
namespace {

using test::case_name;

struct Vector {
  std::string_view name;
  std::string_view bytes;
  std::string_view base64;
  std::string_view base64url;
};

// RFC 4648 §10, plus bytes that differ between the two alphabets.
constexpr Vector vectors[] = {
    {"Empty", "", "", ""},
    {"OneByte", "f", "Zg==", "Zg"},
    {"TwoBytes", "fo", "Zm8=", "Zm8"},
    {"ThreeBytes", "foo", "Zm9v", "Zm9v"},
    {"FourBytes", "foob", "Zm9vYg==", "Zm9vYg"},
    {"FiveBytes", "fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"SixBytes", "foobar", "Zm9vYmFy", "Zm9vYmFy"},
    {"HighBytesUsePlusAndSlash", "\xfb\xff\xbf", "+/+/", "-_-_"},
    {"NulBytes", std::string_view("\0\0\0\0", 4), "AAAAAA==", "AAAAAA"},
    {"Rfc7617UserPass", "test:123\xc2\xa3", "dGVzdDoxMjPCow==", "dGVzdDoxMjPCow"},
};

class Base64Vectors : public ::testing::TestWithParam<Vector> {};

TEST_P(Base64Vectors, EncodesAndDecodesBothAlphabets) {
  const Vector& v = GetParam();
  EXPECT_EQ(encode_base64(v.bytes), v.base64);
  EXPECT_EQ(encode_base64url(v.bytes), v.base64url);
  auto std_decoded = decode_base64(v.base64);
  ASSERT_TRUE(std_decoded.has_value()) << std_decoded.error().message();
  EXPECT_EQ(*std_decoded, v.bytes);
  auto url_decoded = decode_base64url(v.base64url);
  ASSERT_TRUE(url_decoded.has_value()) << url_decoded.error().message();
  EXPECT_EQ(*url_decoded, v.bytes);
}

INSTANTIATE_TEST_SUITE_P(Rfc4648, Base64Vectors, ::testing::ValuesIn(vectors), case_name<Vector>);

struct Bad {
  std::string_view name;
  std::string_view text;
  ParseErrc code;
  std::size_t offset;
  std::string_view why;
};

constexpr Bad bad_base64[] = {
    {"MissingPadding", "Zg", ParseErrc::bad_padding, 2, "RFC 4648 §3.2: padding is required"},
    {"OnePadWhereTwoNeeded", "Zg=", ParseErrc::bad_padding, 3, "a quantum is four characters"},
    {"ThreePads", "Z===", ParseErrc::bad_padding, 1, "at most two '=' end a quantum"},
    {"OnlyPadding", "====", ParseErrc::bad_padding, 0, "padding without data"},
    {"PaddingInTheMiddle", "Zg==Zg==", ParseErrc::bad_padding, 2, "'=' only ends the text (§3.3)"},
    {"SuperfluousPadding", "Zm9v====", ParseErrc::bad_padding, 4, "a whole quantum needs no padding"},
    {"NonZeroPadBitsOneByte", "Zh==", ParseErrc::bad_padding, 1, "§3.5: pad bits must be zero"},
    {"NonZeroPadBitsTwoBytes", "Zm9=", ParseErrc::bad_padding, 2, "§3.5: pad bits must be zero"},
    {"TruncatedQuantum", "Zm9vY", ParseErrc::bad_padding, 5, "4n+1 characters is never valid"},
    {"UrlAlphabetDash", "-_-_", ParseErrc::bad_base64, 0, "base64url characters are not base64"},
    {"Space", "Zm9v Zm9v", ParseErrc::bad_base64, 4, "§3.3: no whitespace inside"},
    {"TrailingNewline", "Zm9v\n", ParseErrc::bad_base64, 4, "§3.1: no line feeds"},
    {"LeadingSpace", " Zm9v", ParseErrc::bad_base64, 0, "no whitespace at all"},
    {"CarriageReturn", "Zm\r\n9v", ParseErrc::bad_base64, 2, "no line breaks"},
    {"NulByte", std::string_view("Zm\09v", 5), ParseErrc::bad_base64, 2, "NUL is not in the alphabet"},
    {"EightBitByte",
     "Zm\xc3\xa9"
     "9v",
     ParseErrc::bad_base64, 2, "8-bit bytes are not in the alphabet"},
    {"Percent", "Zm9%", ParseErrc::bad_base64, 3, "not in the alphabet"},
};

class Base64Rejects : public ::testing::TestWithParam<Bad> {};

TEST_P(Base64Rejects, WithReasonAndOffset) {
  const Bad& b = GetParam();
  auto decoded = decode_base64(b.text);
  ASSERT_FALSE(decoded.has_value()) << b.why;
  EXPECT_EQ(decoded.error(), (ParseError{b.code, b.offset})) << b.why << ": " << decoded.error().message();
}

INSTANTIATE_TEST_SUITE_P(Strict, Base64Rejects, ::testing::ValuesIn(bad_base64), case_name<Bad>);

constexpr Bad bad_base64url[] = {
    {"AnyPadding", "Zg==", ParseErrc::bad_padding, 2, "RFC 7515 §2: base64url without padding"},
    {"SinglePad", "Zm8=", ParseErrc::bad_padding, 3, "no padding at all"},
    {"StandardAlphabetPlus", "+/+/", ParseErrc::bad_base64, 0, "'+' belongs to base64, not base64url"},
    {"StandardAlphabetSlash", "ab/c", ParseErrc::bad_base64, 2, "'/' belongs to base64, not base64url"},
    {"NonZeroPadBits", "Zh", ParseErrc::bad_padding, 1, "RFC 4648 §3.5: pad bits must be zero"},
    {"NonZeroPadBitsThree", "Zm9", ParseErrc::bad_padding, 2, "RFC 4648 §3.5: pad bits must be zero"},
    {"ImpossibleLength", "Zm9vY", ParseErrc::bad_padding, 5, "4n+1 characters is never valid"},
    {"ImpossibleLengthOne", "A", ParseErrc::bad_padding, 1, "4n+1 characters is never valid"},
    {"Dot", "ab.c", ParseErrc::bad_base64, 2, "JWS separators are not data"},
    {"Whitespace", "ab c", ParseErrc::bad_base64, 2, "no whitespace"},
    {"EightBitByte", "ab\xff", ParseErrc::bad_base64, 2, "8-bit bytes are not in the alphabet"},
};

class Base64urlRejects : public ::testing::TestWithParam<Bad> {};

TEST_P(Base64urlRejects, WithReasonAndOffset) {
  const Bad& b = GetParam();
  auto decoded = decode_base64url(b.text);
  ASSERT_FALSE(decoded.has_value()) << b.why;
  EXPECT_EQ(decoded.error(), (ParseError{b.code, b.offset})) << b.why << ": " << decoded.error().message();
}

INSTANTIATE_TEST_SUITE_P(Strict, Base64urlRejects, ::testing::ValuesIn(bad_base64url), case_name<Bad>);

TEST(Base64, EveryByteValueRoundTripsAtEveryLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
    const auto std_text = encode_base64(bytes);
    const auto url_text = encode_base64url(bytes);
    ASSERT_EQ(decode_base64(std_text).value(), bytes);
    ASSERT_EQ(decode_base64url(url_text).value(), bytes);
  }
}

TEST(Base64, EveryNonCanonicalLastCharacterIsRejected) {
  // For "Z?==" only characters whose low 4 bits are zero are canonical: exactly 4 of the 64.
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int accepted = 0;
  for (char c : alphabet) {
    const std::string text = std::string("Z") + c + "==";
    if (decode_base64(text).has_value()) ++accepted;
  }
  EXPECT_EQ(accepted, 4);
}

TEST(Base64, HugeInputDecodesInOnePass) {
  const std::string bytes(1 << 20, 'x');
  EXPECT_EQ(decode_base64(encode_base64(bytes)).value().size(), bytes.size());
  EXPECT_EQ(decode_base64url(encode_base64url(bytes)).value().size(), bytes.size());
}

TEST(Base64, ErrorMessageNamesTheReasonAndOffset) {
  const auto decoded = decode_base64("Zm9v Zm9v");
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(to_string(decoded.error().code), "bad_base64");
  EXPECT_NE(decoded.error().message().find("offset 4"), std::string::npos);
}

TEST(Base64, ValueOnErrorThrowsForTests) {
  EXPECT_THROW((void)decode_base64("!").value(), std::invalid_argument);
}

}  // namespace
}  // namespace authgate::grammar
