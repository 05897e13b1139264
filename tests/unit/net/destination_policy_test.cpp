// Where the forward proxy may connect: special-purpose addresses at both ends of every block, operator
// ranges, host patterns, ports, and the CONNECT request-target with the inputs an attacker would try.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/destination_policy.hpp"

namespace authgate::net {
namespace {

using boost::asio::ip::make_address;
using testing::HasSubstr;

std::string param_name(const std::string& name) { return name; }

// --- is_internal_address ----------------------------------------------------------------------

struct InternalCase {
  std::string name;
  const char* address;
  bool internal;
  const char* why;
};

const std::vector<InternalCase> internal_cases = {
    {"ThisNetworkStart", "0.0.0.0", true, "0/8: Linux connects 0.0.0.0 to itself"},
    {"ThisNetworkEnd", "0.255.255.255", true, "0/8"},
    {"JustAfterThisNetwork", "1.0.0.0", false, "first global address"},
    {"JustBeforePrivateTen", "9.255.255.255", false, "outside 10/8"},
    {"PrivateTenStart", "10.0.0.0", true, "10/8 (RFC 1918)"},
    {"PrivateTenEnd", "10.255.255.255", true, "10/8"},
    {"JustAfterPrivateTen", "11.0.0.0", false, "outside 10/8"},
    {"JustBeforeCgnat", "100.63.255.255", false, "outside 100.64/10"},
    {"CgnatStart", "100.64.0.0", true, "100.64/10 (RFC 6598)"},
    {"CgnatEnd", "100.127.255.255", true, "100.64/10"},
    {"JustAfterCgnat", "100.128.0.0", false, "outside 100.64/10"},
    {"JustBeforeLoopback", "126.255.255.255", false, "outside 127/8"},
    {"LoopbackStart", "127.0.0.0", true, "127/8"},
    {"LoopbackUsual", "127.0.0.1", true, "127/8"},
    {"LoopbackEnd", "127.255.255.255", true, "127/8"},
    {"JustAfterLoopback", "128.0.0.0", false, "outside 127/8"},
    {"JustBeforeLinkLocal", "169.253.255.255", false, "outside 169.254/16"},
    {"LinkLocalStart", "169.254.0.0", true, "169.254/16"},
    {"CloudMetadata", "169.254.169.254", true, "the metadata service of every cloud"},
    {"LinkLocalEnd", "169.254.255.255", true, "169.254/16"},
    {"JustAfterLinkLocal", "169.255.0.0", false, "outside 169.254/16"},
    {"JustBeforePrivate172", "172.15.255.255", false, "outside 172.16/12"},
    {"Private172Start", "172.16.0.0", true, "172.16/12"},
    {"Private172End", "172.31.255.255", true, "172.16/12"},
    {"JustAfterPrivate172", "172.32.0.0", false, "outside 172.16/12"},
    {"JustBeforeIetfAssignments", "191.255.255.255", false, "outside 192.0.0/24"},
    {"IetfAssignmentsStart", "192.0.0.0", true, "192.0.0/24"},
    {"IetfAssignmentsEnd", "192.0.0.255", true, "192.0.0/24"},
    {"JustAfterIetfAssignments", "192.0.1.0", false, "outside 192.0.0/24"},
    {"TestNet1Start", "192.0.2.0", true, "documentation (RFC 5737)"},
    {"TestNet1End", "192.0.2.255", true, "documentation"},
    {"JustAfterTestNet1", "192.0.3.0", false, "outside 192.0.2/24"},
    {"JustBeforePrivate192", "192.167.255.255", false, "outside 192.168/16"},
    {"Private192Start", "192.168.0.0", true, "192.168/16"},
    {"Private192End", "192.168.255.255", true, "192.168/16"},
    {"JustAfterPrivate192", "192.169.0.0", false, "outside 192.168/16"},
    {"JustBeforeBenchmarking", "198.17.255.255", false, "outside 198.18/15"},
    {"BenchmarkingStart", "198.18.0.0", true, "198.18/15 (RFC 2544)"},
    {"BenchmarkingEnd", "198.19.255.255", true, "198.18/15"},
    {"JustAfterBenchmarking", "198.20.0.0", false, "outside 198.18/15"},
    {"TestNet2", "198.51.100.7", true, "documentation"},
    {"JustAfterTestNet2", "198.51.101.0", false, "outside 198.51.100/24"},
    {"TestNet3End", "203.0.113.255", true, "documentation"},
    {"JustAfterTestNet3", "203.0.114.0", false, "outside 203.0.113/24"},
    {"JustBeforeMulticast", "223.255.255.255", false, "last unicast address"},
    {"MulticastStart", "224.0.0.0", true, "224/4"},
    {"MulticastEnd", "239.255.255.255", true, "224/4"},
    {"ReservedStart", "240.0.0.0", true, "240/4"},
    {"LimitedBroadcast", "255.255.255.255", true, "240/4"},
    {"PublicIpv4", "93.184.216.34", false, "an ordinary origin"},
    {"Ipv6Unspecified", "::", true, "::/128"},
    {"Ipv6Loopback", "::1", true, "::1/128"},
    {"Ipv4CompatibleOfZeroNetwork", "::2", true, "::/96 carrying 0.0.0.2"},
    {"Ipv4CompatibleLoopback", "::127.0.0.1", true, "::/96 carrying 127.0.0.1"},
    {"Ipv4CompatiblePublic", "::8.8.8.8", false, "::/96 carrying a public address"},
    {"MappedLoopback", "::ffff:127.0.0.1", true, "the kernel connects it to 127.0.0.1"},
    {"MappedPrivate", "::ffff:10.1.2.3", true, "mapped 10/8"},
    {"MappedMetadata", "::ffff:169.254.169.254", true, "mapped link-local"},
    {"MappedPublic", "::ffff:8.8.8.8", false, "mapped public address"},
    {"TranslatedLoopback", "::ffff:0:127.0.0.1", true, "RFC 2765 form carrying 127.0.0.1"},
    {"TranslatedPublic", "::ffff:0:8.8.8.8", false, "RFC 2765 form carrying a public address"},
    {"Nat64Loopback", "64:ff9b::7f00:1", true, "the translator would reach 127.0.0.1"},
    {"Nat64Private", "64:ff9b::10.0.0.1", true, "the translator would reach 10.0.0.1"},
    {"Nat64Public", "64:ff9b::808:808", false, "the translator reaches 8.8.8.8"},
    {"Nat64JustOutsideWellKnown", "64:ff9b:0:0:0:1::", false, "not in 64:ff9b::/96"},
    {"Nat64LocalUseStart", "64:ff9b:1::", true, "local-use prefix: our own translator"},
    {"Nat64LocalUseEnd", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", true, "64:ff9b:1::/48"},
    {"JustAfterNat64LocalUse", "64:ff9b:2::", false, "outside 64:ff9b:1::/48"},
    {"DiscardOnlyStart", "100::", true, "100::/64 (RFC 6666)"},
    {"DiscardOnlyEnd", "100::ffff:ffff:ffff:ffff", true, "100::/64"},
    {"JustAfterDiscardOnly", "100:0:0:1::", false, "outside 100::/64"},
    {"TeredoToPublicClient", "2001:0:4136:e378:8000:63bf:f7f7:f7f7", false, "client 8.8.8.8 (bits flipped)"},
    {"TeredoToLoopbackClient", "2001:0:4136:e378:8000:63bf:80ff:fffe", true, "client 127.0.0.1 flipped"},
    {"TeredoWithPrivateServer", "2001:0:a00:1:8000:63bf:f7f7:f7f7", true, "server 10.0.0.1"},
    {"BenchmarkingV6", "2001:2::1", true, "2001:2::/48 inside 2001::/23"},
    {"IetfAssignmentsV6End", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", true, "end of 2001::/23"},
    {"JustAfterIetfAssignmentsV6", "2001:200::", false, "outside 2001::/23"},
    {"DocumentationV6Start", "2001:db8::", true, "2001:db8::/32 (RFC 3849)"},
    {"DocumentationV6End", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true, "2001:db8::/32"},
    {"JustAfterDocumentationV6", "2001:db9::", false, "outside 2001:db8::/32"},
    {"SixToFourLoopback", "2002:7f00:1::", true, "6to4 carrying 127.0.0.1"},
    {"SixToFourPrivate", "2002:c0a8:101::1", true, "6to4 carrying 192.168.1.1"},
    {"SixToFourPublic", "2002:808:808::1", false, "6to4 carrying 8.8.8.8"},
    {"NewDocumentationV6", "3fff:fff:ffff::1", true, "3fff::/20 (RFC 9637)"},
    {"JustAfterNewDocumentationV6", "3fff:1000::", false, "outside 3fff::/20"},
    {"JustBeforeUniqueLocal", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, "outside fc00::/7"},
    {"UniqueLocalStart", "fc00::", true, "fc00::/7"},
    {"UniqueLocalEnd", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, "fc00::/7"},
    {"JustAfterUniqueLocal", "fe00::", false, "outside fc00::/7"},
    {"JustBeforeLinkLocalV6", "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false, "outside fe80::/10"},
    {"LinkLocalV6Start", "fe80::", true, "fe80::/10"},
    {"LinkLocalV6End", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, "fe80::/10"},
    {"SiteLocalStart", "fec0::", true, "fec0::/10, deprecated but routed by some"},
    {"SiteLocalEnd", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, "fec0::/10"},
    {"MulticastV6Start", "ff00::", true, "ff00::/8"},
    {"AllNodes", "ff02::1", true, "ff00::/8"},
    {"MulticastV6End", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, "ff00::/8"},
    {"PublicIpv6", "2606:4700:4700::1111", false, "an ordinary origin"},
    {"PublicIpv6InsideTwoThousandOne", "2001:4860:4860::8888", false, "outside every special block"},
};

class DestinationInternalAddress : public testing::TestWithParam<InternalCase> {};

TEST_P(DestinationInternalAddress, IsJudged) {
  const auto& c = GetParam();
  EXPECT_EQ(is_internal_address(make_address(c.address)), c.internal) << c.address << ": " << c.why;
}

INSTANTIATE_TEST_SUITE_P(DestinationInternalAddresses, DestinationInternalAddress,
                         testing::ValuesIn(internal_cases),
                         [](const auto& p) { return param_name(p.param.name); });

// Every way of writing an IPv4 address inside IPv6 that ends up at that address gets its verdict.
TEST(DestinationInternalAddressForms, EveryIpv4VerdictHoldsForItsMappedNat64AndSixToFourForms) {
  for (const auto& c : internal_cases) {
    const auto a = make_address(c.address);
    if (!a.is_v4()) continue;
    const auto b = a.to_v4().to_bytes();
    const auto mapped = boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4());
    boost::asio::ip::address_v6::bytes_type nat64{0, 0x64, 0xff, 0x9b, 0,    0,    0,    0,
                                                  0, 0,    0,    0,    b[0], b[1], b[2], b[3]};
    boost::asio::ip::address_v6::bytes_type six_to_four{0x20, 0x02, b[0], b[1], b[2], b[3]};
    EXPECT_EQ(is_internal_address(mapped), c.internal) << mapped.to_string();
    EXPECT_EQ(is_internal_address(boost::asio::ip::address_v6(nat64)), c.internal) << c.address;
    EXPECT_EQ(is_internal_address(boost::asio::ip::address_v6(six_to_four)), c.internal) << c.address;
  }
}

// --- AddressRanges ------------------------------------------------------------------------------

struct RangeParseCase {
  std::string name;
  std::vector<std::string> items;
  const char* error;  // nullptr: parses
};

const std::vector<RangeParseCase> range_parse_cases = {
    {"BareIpv4IsASlash32", {"127.0.0.1"}, nullptr},
    {"Ipv4Cidr", {"10.0.0.0/8"}, nullptr},
    {"BareIpv6IsASlash128", {"::1"}, nullptr},
    {"Ipv6Cidr", {"fd00::/8"}, nullptr},
    {"EverythingIpv4", {"0.0.0.0/0"}, nullptr},
    {"EverythingIpv6", {"::/0"}, nullptr},
    {"MappedRange", {"::ffff:10.0.0.0/104"}, nullptr},
    {"SeveralItems", {"127.0.0.1", "10.0.0.0/8", "fd00::/8"}, nullptr},
    {"NoItems", {}, nullptr},
    {"BracketsAreRefused", {"[::1]/128"}, "without brackets"},
    {"BareBracketsAreRefused", {"[::1]"}, "without brackets"},
    {"HostBitsSetIpv4", {"10.0.0.1/8"}, "\"10.0.0.1/8\": host bits set; did you mean 10.0.0.0/8?"},
    {"HostBitsSetIpv6", {"fd00::1/8"}, "host bits set; did you mean fd00::/8?"},
    {"HostBitsSetOddPrefix", {"172.20.0.0/11"}, "did you mean 172.0.0.0/11?"},
    {"PrefixTooLongIpv4", {"10.0.0.0/33"}, "prefix length must be 0-32"},
    {"PrefixTooLongIpv6", {"::/129"}, "prefix length must be 0-128"},
    {"EmptyPrefix", {"10.0.0.0/"}, "prefix length"},
    {"PrefixWithLeadingZero", {"10.0.0.0/08"}, "prefix length"},
    {"NegativePrefix", {"10.0.0.0/-1"}, "prefix length"},
    {"PrefixWithSpace", {"10.0.0.0/ 8"}, "prefix length"},
    {"ThreePartIpv4", {"10.0.0"}, "is not an IPv4 or IPv6 address"},
    {"ShortIpv4", {"127.1"}, "is not an IPv4 or IPv6 address"},
    {"LeadingZeroOctet", {"010.0.0.0/8"}, "is not an IPv4 or IPv6 address"},
    {"HexIpv4", {"0x7f000001"}, "is not an IPv4 or IPv6 address"},
    {"ZoneId", {"fe80::1%eth0"}, "is not an IPv4 or IPv6 address"},
    {"Empty", {""}, "is not an IPv4 or IPv6 address"},
    {"Name", {"example.com"}, "is not an IPv4 or IPv6 address"},
    {"LeadingSpace", {" 10.0.0.0/8"}, "is not an IPv4 or IPv6 address"},
    {"ErrorNamesTheBadItem", {"10.0.0.0/8", "bad"}, "\"bad\" is not"},
    {"ControlBytesInTheItemAreNotEchoed", {"1\n2"}, "\"1?2\""},
};

class DestinationRangeParse : public testing::TestWithParam<RangeParseCase> {};

TEST_P(DestinationRangeParse, ParsesOrNamesTheBadItem) {
  const auto& c = GetParam();
  const auto ranges = AddressRanges::parse(c.items);
  ASSERT_EQ(ranges.has_value(), c.error == nullptr) << (ranges ? "" : ranges.error());
  if (c.error) {
    EXPECT_THAT(ranges.error(), HasSubstr(c.error));
  }
}

INSTANTIATE_TEST_SUITE_P(DestinationRangeParses, DestinationRangeParse, testing::ValuesIn(range_parse_cases),
                         [](const auto& p) { return param_name(p.param.name); });

struct RangeMatchCase {
  std::string name;
  std::vector<std::string> items;
  const char* address;
  bool contained;
};

const std::vector<RangeMatchCase> range_match_cases = {
    {"TenSlash8End", {"10.0.0.0/8"}, "10.255.255.255", true},
    {"TenSlash8JustAfter", {"10.0.0.0/8"}, "11.0.0.0", false},
    {"TenSlash8JustBefore", {"10.0.0.0/8"}, "9.255.255.255", false},
    {"OddPrefixEnd", {"172.16.0.0/12"}, "172.31.255.255", true},
    {"OddPrefixJustAfter", {"172.16.0.0/12"}, "172.32.0.0", false},
    {"BareAddressIsItself", {"127.0.0.1"}, "127.0.0.1", true},
    {"BareAddressIsOnlyItself", {"127.0.0.1"}, "127.0.0.2", false},
    {"MappedAddressMatchesIpv4Range", {"127.0.0.0/8"}, "::ffff:127.0.0.1", true},
    {"Ipv4AddressMatchesMappedRange", {"::ffff:127.0.0.1"}, "127.0.0.1", true},
    {"UniqueLocalInside", {"fd00::/8"}, "fd12::1", true},
    {"UniqueLocalOutside", {"fd00::/8"}, "fc00::1", false},
    {"Ipv6LoopbackIsNotIpv4Loopback", {"::1"}, "127.0.0.1", false},
    {"Ipv4LoopbackIsNotIpv6Loopback", {"127.0.0.1"}, "::1", false},
    {"AllIpv4HoldsMapped", {"0.0.0.0/0"}, "::ffff:8.8.8.8", true},
    {"AllIpv4HoldsNoIpv6", {"0.0.0.0/0"}, "2001:db8::1", false},
    {"AllIpv6HoldsIpv4AsMapped", {"::/0"}, "8.8.8.8", true},
    {"SecondItemMatches", {"10.0.0.0/8", "192.168.1.0/24"}, "192.168.1.77", true},
    {"NoRangesHoldNothing", {}, "127.0.0.1", false},
};

class DestinationRangeMatch : public testing::TestWithParam<RangeMatchCase> {};

TEST_P(DestinationRangeMatch, ContainsOrNot) {
  const auto& c = GetParam();
  const auto ranges = AddressRanges::parse(c.items);
  ASSERT_TRUE(ranges) << ranges.error();
  EXPECT_EQ(ranges->contains(make_address(c.address)), c.contained) << c.address;
}

INSTANTIATE_TEST_SUITE_P(DestinationRangeMatches, DestinationRangeMatch, testing::ValuesIn(range_match_cases),
                         [](const auto& p) { return param_name(p.param.name); });

// --- HostPatterns -------------------------------------------------------------------------------

const std::string label_63(63, 'a');
const std::string label_64(64, 'a');
const std::string name_254 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') +
                             "." + std::string(62, 'd');  // 254 bytes
const std::string name_253 = name_254.substr(1);

const std::vector<RangeParseCase> pattern_parse_cases = {
    {"AnyHost", {"*"}, nullptr},
    {"WildcardBelowTopLevelDomain", {"*.com"}, nullptr},
    {"MixedCaseWithRootDot", {"Example.COM."}, nullptr},
    {"Ipv6InBrackets", {"[::1]"}, nullptr},
    {"Ipv4", {"10.0.0.1"}, nullptr},
    {"Punycode", {"xn--bcher-kva.example"}, nullptr},
    {"DigitFirstLabel", {"1.example"}, nullptr},
    {"HyphenAtLabelEdgeIsTolerated", {"a-.example"}, nullptr},
    {"LongestName", {name_253}, nullptr},
    {"Empty", {""}, "empty host pattern"},
    {"Space", {"exa mple.com"}, "has a character other than"},
    {"Underscore", {"exam_ple.com"}, "has a character other than"},
    {"StarInsideLabel", {"ex*ample.com"}, "'*' may only be the whole first label"},
    {"StarPrefixOfLabel", {"*example.com"}, "'*' may only be the whole first label"},
    {"StarInMiddleLabel", {"foo.*.com"}, "'*' may only be the whole first label"},
    {"DoubleStar", {"**.example.com"}, "'*' may only be the whole first label"},
    {"StarDotAlone", {"*."}, "is empty"},
    {"EmptyLabel", {"example..com"}, "empty label"},
    {"LeadingDot", {".example.com"}, "empty label"},
    {"TwoRootDots", {"example.com.."}, "empty label"},
    {"LabelTooLong", {label_64 + ".example"}, "label longer than 63"},
    {"NameTooLong", {name_254}, "longer than 253"},
    {"ShortNumericIpv4", {"127.1"}, "is a number but not a dotted-quad"},
    {"HexIpv4", {"0x7f000001"}, "is a number but not a dotted-quad"},
    {"WildcardOverNumbers", {"*.1.2"}, "is a number"},
    {"UnbracketedIpv6", {"::1"}, "written in brackets"},
    {"UnclosedBracket", {"[::1"}, "not an IPv6 address in brackets"},
    {"NameInBrackets", {"[example.com]"}, "not an IPv6 address in brackets"},
    {"ZoneIdInBrackets", {"[fe80::1%eth0]"}, "not an IPv6 address in brackets"},
    {"Port", {"example.com:443"}, "has no port"},
    {"ErrorNamesTheBadItem", {"example.com", "bad_one"}, "\"bad_one\" has a character"},
};

class DestinationPatternParse : public testing::TestWithParam<RangeParseCase> {};

TEST_P(DestinationPatternParse, ParsesOrNamesTheBadItem) {
  const auto& c = GetParam();
  const auto patterns = HostPatterns::parse(c.items);
  ASSERT_EQ(patterns.has_value(), c.error == nullptr) << (patterns ? "" : patterns.error());
  if (c.error) {
    EXPECT_THAT(patterns.error(), HasSubstr(c.error));
  }
}

INSTANTIATE_TEST_SUITE_P(DestinationPatternParses, DestinationPatternParse,
                         testing::ValuesIn(pattern_parse_cases),
                         [](const auto& p) { return param_name(p.param.name); });

const std::vector<RangeMatchCase> pattern_match_cases = {
    {"StarMatchesAName", {"*"}, "anything.example", true},
    {"StarMatchesAnIpv6Literal", {"*"}, "[::1]", true},
    {"ExactName", {"example.com"}, "example.com", true},
    {"ExactNameIgnoresCase", {"example.com"}, "EXAMPLE.com", true},
    {"ExactNameIgnoresRootDot", {"example.com"}, "example.com.", true},
    {"PatternCaseAndRootDotIgnored", {"Example.COM."}, "example.com", true},
    {"ExactNameIsNotASubdomain", {"example.com"}, "www.example.com", false},
    {"ExactNameIsNotAPrefix", {"example.com"}, "example.co", false},
    {"ExactNameIsNotASuffix", {"example.com"}, "notexample.com", false},
    {"WildcardMatchesOneLevel", {"*.example.com"}, "www.example.com", true},
    {"WildcardMatchesAnyDepth", {"*.example.com"}, "a.b.example.com", true},
    {"WildcardIsNotTheApex", {"*.example.com"}, "example.com", false},
    {"WildcardNeedsALabelBoundary", {"*.example.com"}, "wwwexample.com", false},
    {"WildcardNeedsANonEmptyLabel", {"*.example.com"}, ".example.com", false},
    {"WildcardIsNotAPrefix", {"*.example.com"}, "www.example.com.evil", false},
    {"WildcardBelowTld", {"*.com"}, "example.com", true},
    {"WildcardBelowTldIsNotTheTld", {"*.com"}, "com", false},
    {"Ipv4Literal", {"10.0.0.1"}, "10.0.0.1", true},
    {"Ipv4LiteralMatchesItsMappedForm", {"10.0.0.1"}, "[::ffff:10.0.0.1]", true},
    {"Ipv4LiteralIsOnlyItself", {"10.0.0.1"}, "10.0.0.2", false},
    {"Ipv4LiteralIsNotALeadingZeroSpelling", {"10.0.0.1"}, "010.0.0.1", false},
    {"Ipv6Literal", {"[::1]"}, "[::1]", true},
    {"Ipv6LiteralComparesAsAnAddress", {"[::1]"}, "[0:0:0:0:0:0:0:1]", true},
    {"Ipv6LiteralNeedsBrackets", {"[::1]"}, "::1", false},
    {"Ipv6LiteralIsOnlyItself", {"[::1]"}, "[::2]", false},
    {"MappedPatternMatchesIpv4Host", {"[::ffff:10.0.0.1]"}, "10.0.0.1", true},
    {"NameDoesNotMatchAnAddress", {"example.com"}, "10.0.0.1", false},
    {"NoPatternsMatchNothing", {}, "example.com", false},
};

class DestinationPatternMatch : public testing::TestWithParam<RangeMatchCase> {};

TEST_P(DestinationPatternMatch, MatchesOrNot) {
  const auto& c = GetParam();
  const auto patterns = HostPatterns::parse(c.items);
  ASSERT_TRUE(patterns) << patterns.error();
  EXPECT_EQ(patterns->matches(c.address), c.contained) << c.address;
}

INSTANTIATE_TEST_SUITE_P(DestinationPatternMatches, DestinationPatternMatch,
                         testing::ValuesIn(pattern_match_cases),
                         [](const auto& p) { return param_name(p.param.name); });

// --- PortRanges ---------------------------------------------------------------------------------

const std::vector<RangeParseCase> port_parse_cases = {
    {"SinglePort", {"443"}, nullptr},
    {"TwoPorts", {"80", "443"}, nullptr},
    {"UnprivilegedRange", {"1025-65535"}, nullptr},
    {"EveryPort", {"1-65535"}, nullptr},
    {"OnePortRange", {"443-443"}, nullptr},
    {"Zero", {"0"}, "ports are 1-65535"},
    {"ZeroStartsARange", {"0-10"}, "ports are 1-65535"},
    {"TooLarge", {"65536"}, "ports are 1-65535"},
    {"FiveNines", {"99999"}, "ports are 1-65535"},
    {"SixDigits", {"100000"}, "is not a port"},
    {"LeadingZero", {"0443"}, "is not a port"},
    {"Sign", {"+443"}, "is not a port"},
    {"Negative", {"-443"}, "is not a port"},
    {"OpenRange", {"443-"}, "is not a port"},
    {"Word", {"https"}, "is not a port"},
    {"Empty", {""}, "is not a port"},
    {"Space", {" 443"}, "is not a port"},
    {"ThreeParts", {"1-2-3"}, "is not a port"},
    {"Reversed", {"2000-1000"}, "\"2000-1000\": the range is reversed; did you mean 1000-2000?"},
};

class DestinationPortParse : public testing::TestWithParam<RangeParseCase> {};

TEST_P(DestinationPortParse, ParsesOrNamesTheBadItem) {
  const auto& c = GetParam();
  const auto ports = PortRanges::parse(c.items);
  ASSERT_EQ(ports.has_value(), c.error == nullptr) << (ports ? "" : ports.error());
  if (c.error) {
    EXPECT_THAT(ports.error(), HasSubstr(c.error));
  }
}

INSTANTIATE_TEST_SUITE_P(DestinationPortParses, DestinationPortParse, testing::ValuesIn(port_parse_cases),
                         [](const auto& p) { return param_name(p.param.name); });

TEST(DestinationPorts, ContainEachEndOfEachRangeAndNothingElse) {
  const std::vector<std::string> items = {"80", "1025-65535"};
  const auto ports = PortRanges::parse(items);
  ASSERT_TRUE(ports) << ports.error();
  EXPECT_TRUE(ports->contains(80));
  EXPECT_FALSE(ports->contains(79));
  EXPECT_FALSE(ports->contains(81));
  EXPECT_FALSE(ports->contains(1024));
  EXPECT_TRUE(ports->contains(1025));
  EXPECT_TRUE(ports->contains(65535));
  EXPECT_FALSE(ports->contains(0));
  EXPECT_FALSE(PortRanges::parse(std::vector<std::string>{})->contains(443));
}

// --- parse_connect_authority --------------------------------------------------------------------

struct ConnectCase {
  std::string name;
  std::string target;
  std::string host;  // when accepted

  int port;
  const char* error;  // nullptr: accepted; else part of the refusal's sentence
};

const std::vector<ConnectCase> connect_cases = {
    {"NameAndPort", "example.com:443", "example.com", 443, nullptr},
    {"NameIsLowerCased", "Example.COM:443", "example.com", 443, nullptr},
    {"RootDotIsDropped", "example.com.:443", "example.com", 443, nullptr},
    {"LowestPort", "a.b-c.d1:1", "a.b-c.d1", 1, nullptr},
    {"HighestPort", "example.com:65535", "example.com", 65535, nullptr},
    {"Punycode", "xn--bcher-kva.example:443", "xn--bcher-kva.example", 443, nullptr},
    {"DigitFirstLabel", "1.example:443", "1.example", 443, nullptr},
    {"LongestName", name_253 + ":443", name_253, 443, nullptr},
    {"LongestLabel", label_63 + ".example:443", label_63 + ".example", 443, nullptr},
    {"Ipv4ParsesAndIsJudgedByAddress", "127.0.0.1:443", "127.0.0.1", 443, nullptr},
    {"LocalhostIsANameJudgedWhenResolved", "localhost:443", "localhost", 443, nullptr},
    {"Ipv6InBrackets", "[::1]:443", "[::1]", 443, nullptr},
    {"Ipv6IsCanonical", "[0:0:0:0:0:0:0:1]:8443", "[::1]", 8443, nullptr},
    {"MappedIpv6ParsesAndIsJudgedByAddress", "[::FFFF:127.0.0.1]:443", "[::ffff:127.0.0.1]", 443, nullptr},
    {"Empty", "", "", 0, "CONNECT needs host:port"},
    {"MissingPort", "example.com", "", 0, "CONNECT needs host:port"},
    {"EmptyPort", "example.com:", "", 0, "CONNECT needs host:port"},
    {"EmptyHost", ":443", "", 0, "CONNECT needs host:port"},
    {"Ipv6WithoutPort", "[::1]", "", 0, "CONNECT needs host:port"},
    {"Ipv6WithEmptyPort", "[::1]:", "", 0, "CONNECT needs host:port"},
    {"JunkAfterIpv6", "[::1]x:443", "", 0, "CONNECT needs host:port"},
    {"TwoPorts", "example.com:443:443", "", 0, "more than one ':'"},
    {"UnbracketedIpv6", "::1:443", "", 0, "more than one ':'"},
    {"TwoPortsAfterIpv6", "[::1]:443:443", "", 0, "more than one ':'"},
    {"UnclosedBracket", "[::1:443", "", 0, "lacks its ']'"},
    {"NameInBrackets", "[example.com]:443", "", 0, "not an IPv6 address"},
    {"Ipv4InBrackets", "[127.0.0.1]:443", "", 0, "not an IPv6 address"},
    {"EmptyBrackets", "[]:443", "", 0, "not an IPv6 address"},
    {"ZoneId", "[fe80::1%25eth0]:443", "", 0, "zone ids"},
    {"PercentEncodedName", "ex%61mple.com:443", "", 0, "percent-encoding"},
    {"SpaceInName", "exa mple.com:443", "", 0, "whitespace"},
    {"TrailingSpace", "example.com:443 ", "", 0, "whitespace"},
    {"Tab", "example.com\t:443", "", 0, "whitespace"},
    {"LineBreak", "example.com:443\r\nX: y", "", 0, "control"},
    {"Nul", std::string("example.com\0:443", 16), "", 0, "control"},
    {"NonAscii", "ex\xc3\xa4mple.com:443", "", 0, "non-ASCII"},
    {"SignedPort", "example.com:+443", "", 0, "port must be 1-65535"},
    {"LeadingZeroPort", "example.com:0443", "", 0, "without a leading zero"},
    {"PortZero", "example.com:0", "", 0, "port must be 1-65535"},
    {"PortTooLarge", "example.com:65536", "", 0, "port must be 1-65535"},
    {"PortFarTooLarge", "example.com:4294967739", "", 0, "port must be 1-65535"},
    {"NamedPort", "example.com:https", "", 0, "port must be 1-65535"},
    {"NegativePort", "example.com:-1", "", 0, "port must be 1-65535"},
    {"Userinfo", "user@example.com:443", "", 0, "user@"},
    {"UserinfoWithPassword", "user:pw@example.com:443", "", 0, "user@"},
    {"Path", "example.com:443/path", "", 0, "without a path"},
    {"AbsoluteUrl", "http://example.com:443", "", 0, "without a path"},
    {"Query", "example.com:443?x", "", 0, "without a path"},
    {"Backslash", "example.com\\:443", "", 0, "without a path"},
    {"ShortNumericIpv4", "127.1:443", "", 0, "is a number but not a dotted-quad"},
    {"HexIpv4", "0x7f000001:443", "", 0, "is a number but not a dotted-quad"},
    {"DecimalIpv4", "2130706433:443", "", 0, "is a number but not a dotted-quad"},
    {"Ipv4WithRootDot", "127.0.0.1.:443", "", 0, "is a number but not a dotted-quad"},
    {"LeadingZeroOctet", "010.0.0.1:443", "", 0, "is a number but not a dotted-quad"},
    {"OctetTooLarge", "1.2.3.256:443", "", 0, "is a number but not a dotted-quad"},
    {"MixedHexOctets", "0x7f.0.0.1:443", "", 0, "is a number but not a dotted-quad"},
    {"EmptyLabel", "example..com:443", "", 0, "empty label"},
    {"LeadingDot", ".example.com:443", "", 0, "empty label"},
    {"TwoRootDots", "example.com..:443", "", 0, "empty label"},
    {"Underscore", "exam_ple.com:443", "", 0, "has a character other than"},
    {"Wildcard", "*.example.com:443", "", 0, "has a character other than"},
    {"LabelTooLong", label_64 + ".example:443", "", 0, "label longer than 63"},
    {"NameTooLong", name_254 + ":443", "", 0, "longer than 253"},
    {"TenKilobytes", std::string(10240, 'a') + ":443", "", 0, "longer than any host:port"},
};

class DestinationConnectTarget : public testing::TestWithParam<ConnectCase> {};

TEST_P(DestinationConnectTarget, ParsesOrRefusesWithoutEchoingTheInput) {
  const auto& c = GetParam();
  const auto authority = parse_connect_authority(c.target);
  if (c.error) {
    ASSERT_FALSE(authority) << c.target;
    EXPECT_THAT(authority.error(), HasSubstr(c.error));
    // The target is the client's and the sentence goes to logs: it never repeats it.
    if (c.target.size() > 3) {
      EXPECT_EQ(authority.error().find(c.target), std::string::npos);
    }
    return;
  }
  ASSERT_TRUE(authority) << authority.error();
  EXPECT_EQ(authority->host, c.host);
  EXPECT_EQ(authority->port, c.port);
  const auto again = parse_connect_authority(to_string(*authority));
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, *authority) << "round trip";
}

INSTANTIATE_TEST_SUITE_P(DestinationConnectTargets, DestinationConnectTarget,
                         testing::ValuesIn(connect_cases),
                         [](const auto& p) { return param_name(p.param.name); });

// Regression guard: "127.1" is a syntactically valid DNS name, and getaddrinfo hands it to inet_aton,
// which reads it as 127.0.0.1. Had it passed as a name, a name-based allow list ("*" minus internal
// names) would have been judged on the text while the connection went to loopback. Refusing numeric
// names that are not a dotted quad keeps one spelling per address; the address check still runs.
TEST(DestinationConnectNarrated, NumericNamesThatAResolverReadsAsLoopbackAreRefused) {
  for (const char* target :
       {"127.1:443", "0x7f000001:443", "2130706433:443", "0177.0.0.1:443", "127.0.1:443"}) {
    EXPECT_FALSE(parse_connect_authority(target)) << target;
  }
  const auto dotted = parse_connect_authority("127.0.0.1:443");
  ASSERT_TRUE(dotted);
  EXPECT_TRUE(is_internal_address(make_address(dotted->host)));
}

// A mapped IPv6 literal is a fine CONNECT target; what stops it is the address check on its IPv4 form.
TEST(DestinationConnectNarrated, MappedLoopbackParsesAndIsThenJudgedInternal) {
  const auto authority = parse_connect_authority("[::ffff:127.0.0.1]:443");
  ASSERT_TRUE(authority);
  const std::string literal = authority->host.substr(1, authority->host.size() - 2);
  EXPECT_TRUE(is_internal_address(make_address(literal)));
  const std::vector<std::string> allowed = {"127.0.0.1"};
  EXPECT_TRUE(AddressRanges::parse(allowed)->contains(make_address(literal)));
  EXPECT_TRUE(HostPatterns::parse(allowed)->matches(authority->host));
}

}  // namespace
}  // namespace authgate::net
