// The Digest half of `authgate passwd`: HA1s from a password, the edited digest file, and its check.
#include "passwd_digest.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstddef>

#include "authgate/schemes/digest_algorithm.hpp"

namespace authgate::app {
namespace {

namespace stores = authgate::stores;
using schemes::digest::Algorithm;

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// The algorithm whose HA1 is the stored one of `hash` (RFC 7616 §3.4.2: the -sess variants derive
/// theirs from it per session).
Algorithm algorithm_of(stores::DigestHash hash) {
  switch (hash) {
    case stores::DigestHash::sha256:
      return Algorithm::sha256;
    case stores::DigestHash::sha512_256:
      return Algorithm::sha512_256;
    case stores::DigestHash::md5:
      break;
  }
  return Algorithm::md5;
}

/// Wipes a record's HA1s when it goes out of scope, on every return path.
class WipedHa1s {
 public:
  explicit WipedHa1s(stores::DigestRecord& record) : record_(record) {}
  ~WipedHa1s() {
    for (auto& hex : record_.ha1) wipe(hex);
  }
  WipedHa1s(const WipedHa1s&) = delete;
  WipedHa1s& operator=(const WipedHa1s&) = delete;

 private:
  stores::DigestRecord& record_;
};

boost::system::result<stores::DigestEdit, std::string> refused(std::string reason) {
  return {boost::system::in_place_error, std::move(reason)};
}

}  // namespace

void wipe(std::string& text) noexcept {
  text.resize(text.capacity());
  OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

boost::system::result<std::vector<stores::DigestHash>, std::string> parse_digest_algorithms(
    std::string_view list) {
  std::vector<stores::DigestHash> hashes;
  while (true) {
    const auto comma = list.find(',');
    const auto name = trim_blanks(list.substr(0, comma));
    const auto hash = stores::parse_digest_hash(name);
    if (!hash) {
      return {boost::system::in_place_error, name.empty()
                                                 ? std::string("an empty name in --algorithms")
                                                 : "unknown algorithm '" + std::string(name) +
                                                       "' in --algorithms (SHA-256, SHA-512-256 or MD5)"};
    }
    if (std::find(hashes.begin(), hashes.end(), *hash) != hashes.end()) {
      return {boost::system::in_place_error, std::string(to_string(*hash)) + " named twice in --algorithms"};
    }
    hashes.push_back(*hash);
    if (comma == std::string_view::npos) return hashes;
    list.remove_prefix(comma + 1);
  }
}

std::string digest_realm_warning(std::string_view realm) {
  if (realm.find_first_of("\"\\") == std::string_view::npos) return {};
  return "the realm contains '\"' or '\\', which the challenge sends escaped with a backslash; python "
         "requests and httpx send it back unescaped and curl before 7.84 hashed the escapes (curl test "
         "1095), "
         "so their users will fail to log in";
}

std::string check_digest_content(std::string_view content, const std::string& source_name) {
  // The store it builds wipes its HA1s when it is destroyed, at the end of this statement.
  const auto store = stores::parse_digest_store(content, source_name, 0);
  if (store) return {};
  return "the file would not load (" + store.error().to_string() + "); it is left as it was";
}

boost::system::result<stores::DigestEdit, std::string> set_digest_password(
    std::string_view content, const std::string& source_name, std::string_view user, std::string_view realm,
    std::string_view password, std::span<const stores::DigestHash> hashes) {
  if (auto problem = stores::check_digest_user(user); !problem.empty()) return refused(std::move(problem));
  if (auto problem = stores::check_digest_realm(realm); !problem.empty()) return refused(std::move(problem));
  if (hashes.empty()) return refused("no algorithm chosen");
  stores::DigestRecord record{std::string(user), std::string(realm), {}, 0};
  const WipedHa1s wiped(record);  // each HA1 signs in as the user in this realm (RFC 7616 §5.2)
  for (const auto hash : hashes) {
    auto& hex = record.ha1[static_cast<std::size_t>(hash)];
    hex = schemes::digest::ha1(algorithm_of(hash), user, realm, password);
    // An empty HA1 is OpenSSL refusing the hash (MD5 under FIPS): writing the line without it would
    // silently drop an algorithm the caller asked for.
    if (hex.empty()) return refused(std::string(to_string(hash)) + " is not available in this OpenSSL");
  }
  auto edit = stores::upsert_digest_line(content, record);
  if (!edit) return refused(std::move(edit.error()));
  if (auto problem = check_digest_content(edit->content, source_name); !problem.empty()) {
    wipe(edit->content);
    return refused(std::move(problem));
  }
  return edit;
}

}  // namespace authgate::app
