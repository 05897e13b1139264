// validate(): references, addresses, URLs, files, auth blocks — each error and warning at its line:col.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "validate_cases.hpp"

namespace authgate::config {
namespace {

using testing::Case;
using testing::edit;
using testing::expect_case;
constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;

std::vector<Case> reference_cases() {
  return {
      {"UnknownUpstreamIsAnError",
       edit("    upstream: app\n    auth: {", "    upstream: nowhere\n    auth: {"), E,
       "routes[1].upstream: unknown upstream 'nowhere' (defined: app)", "nowhere", "a dangling reference"},
      {"UnknownRealmIsAnError", edit("[staff]", "[nobody]"), E,
       "routes[1].auth.realms[0]: unknown realm 'nobody' (defined: staff)", "nobody", "a dangling reference"},
      {"UnknownStoreIsAnError", edit("store: staff}", "store: nostore}"), E, "unknown store 'nostore'",
       "nostore", "a realm needs its store"},
      {"DigestNeedsAnHtdigestStore", edit("scheme: basic", "scheme: digest"), E,
       "realms.staff.store: store 'staff' is of type 'htpasswd'; a digest realm needs an htdigest store",
       "staff}", "a bcrypt hash cannot answer a Digest response: the HA1 must be stored"},
      {"BasicKeysOnABearerRealmAreErrors", edit("scheme: basic", "scheme: Bearer"), E,
       "realms.staff.store: 'store' applies to basic realms only (this realm's scheme is bearer)", "staff}",
       "scheme names are case-insensitive, and a bearer realm has no password store"},
      {"UnknownSchemeIsAnError", edit("scheme: basic", "scheme: ntlm"), E, "unknown scheme 'ntlm'", "ntlm",
       "not a scheme we know"},
      {"UnknownStoreTypeIsAnError", edit("{path: users", "{type: ldap, path: users"), E,
       "unknown store type 'ldap'", "ldap", "htpasswd only"},
      {"MissingStoreFileIsAnError", edit("path: users.htpasswd", "path: missing.htpasswd"), E,
       "stores.staff.path: cannot read '", "missing.htpasswd",
       "files are checked at load, not at the first request"},
      {"MissingGroupFileIsAnError", edit("groups: groups.txt", "groups: nogroups.txt"), E, "no such file",
       "nogroups.txt", "group files too"},
      {"StoreDirectoryIsNotAFile", edit("path: users.htpasswd", "path: ."), E, "not a regular file",
       "., groups", "a directory is not a store"},
      {"NoListenerIsAnError", edit("listeners:\n  - port: 8080\n", "listeners: []\n\n"), E,
       "at least one listener is required", "[]", "nothing to serve on"},
      {"RouteWithoutRealmIsAnError", edit("auth: {realms: [staff]}", "auth: {users: [alice]}"), E,
       "must list at least one realm", "{users", "who would authenticate alice?"},
      {"RealmListedTwiceIsAnError", edit("[staff]", "[staff, staff]"), E, "realm 'staff' is listed twice",
       "staff]", "one challenge per realm"},
      {"TwoBasicRealmsOnOneRouteIsAnError",
       edit({{"realms:\n", "realms:\n  other: {store: staff, realm: o}\n"}, {"[staff]", "[staff, other]"}}),
       E, "already uses scheme 'basic'", "other]", "a Basic credential does not say which realm it is for"},
      {"UnusedRealmIsAWarning", edit("realms:\n", "realms:\n  spare: {store: staff}\n"), W,
       "realms.spare: not used by any route", "{store: staff}", "probably a mistake"},
      {"UnusedStoreIsAWarning", edit("stores:\n", "stores:\n  spare: {path: users.htpasswd}\n"), W,
       "stores.spare: not used by any realm", "{path: users.htpasswd}", "probably a mistake"},
      {"PlaintextRealmIsAWarning", edit("store: staff}", "store: staff, allow_plaintext: true}"), W,
       "plaintext and DES-crypt", "true}", "weak hashes accepted"},
      {"SameRealmStringIsAWarning",
       edit({{"realms:\n", "realms:\n  twin: {store: staff, realm: \"Staff area\"}\n"},
             {"[staff]", "[staff]"}}),
       W, "same realm string as realm 'twin'", "\"Staff area\", store",
       "RFC 9110 §11.5 protection spaces collide"},
  };
}

class ValidateReferencesTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateReferencesTest, IsReportedAtItsPosition) { expect_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(References, ValidateReferencesTest, ::testing::ValuesIn(reference_cases()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::config
