// Checks of `scheme: digest` realms (docs/digest.md).
#include <filesystem>
#include <set>
#include <system_error>

#include "authgate/schemes/digest_algorithm.hpp"
#include "config/checker.hpp"
#include "config/secret_file.hpp"
#include "config/syntax.hpp"

namespace authgate::config::detail {

void check_digest_realm(Checker& check, const Realm& realm, const std::string& path) {
  if (realm.store.empty()) {
    check.error(path, "a digest realm needs a store (type: htdigest)");
  } else if (const Store* store = find_named(check.config().stores, realm.store); store == nullptr) {
    check.error(path + ".store", "unknown store " + in_quotes(realm.store) +
                                     " (defined: " + list_names(check.config().stores) + ")");
  } else if (store->type != "htdigest") {
    check.error(path + ".store", "store " + in_quotes(realm.store) + " is of type " + in_quotes(store->type) +
                                     "; a digest realm needs an htdigest store (HA1 per user and realm)");
  }
  if (realm.allow_plaintext) check.error(path + ".allow_plaintext", "applies to basic realms only");
  const DigestRealm& d = realm.digest;
  const std::string at = path + ".digest";
  if (d.algorithms.empty()) check.error(at + ".algorithms", "at least one algorithm is needed");
  std::set<schemes::digest::Algorithm> seen;
  bool legacy_first = false;  // an MD5 algorithm before every SHA one
  bool strong = false;
  for (std::size_t i = 0; i < d.algorithms.size(); ++i) {
    const std::string item = at + ".algorithms[" + std::to_string(i) + "]";
    const auto algorithm = schemes::digest::parse_algorithm(d.algorithms[i]);
    if (!algorithm) {
      check.error(item,
                  "unknown algorithm " + in_quotes(d.algorithms[i]) +
                      " (supported: SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess, MD5, MD5-sess)");
      continue;
    }
    if (!seen.insert(*algorithm).second) check.error(item, "listed twice");
    if (!schemes::digest::is_available(*algorithm)) {
      check.error(item, "OpenSSL offers no " + std::string(schemes::digest::to_string(*algorithm)) +
                            " hash here (a FIPS-only provider has no MD5)");
    }
    const bool md5 =
        *algorithm == schemes::digest::Algorithm::md5 || *algorithm == schemes::digest::Algorithm::md5_sess;
    legacy_first = legacy_first || (md5 && !strong);
    strong = strong || !md5;
  }
  // Clients take the first challenge they can answer (RFC 7616 §3.7): MD5 first means MD5 for everyone.
  if (legacy_first) {
    check.warning(at + ".algorithms", strong
                                          ? "MD5 listed before SHA-256: clients that could use SHA-256 will "
                                            "take MD5; list MD5 last, for legacy clients only"
                                          : "MD5 only: list SHA-256 first and keep MD5 for legacy clients");
  }
  if (d.qop.empty()) check.error(at + ".qop", "at least one of auth, auth-int is needed");
  std::set<std::string> qops;
  for (std::size_t i = 0; i < d.qop.size(); ++i) {
    const std::string item = at + ".qop[" + std::to_string(i) + "]";
    if (d.qop[i] != "auth" && d.qop[i] != "auth-int") {
      check.error(item, "unknown qop " + in_quotes(d.qop[i]) + " (supported: auth, auth-int)");
    } else if (!qops.insert(d.qop[i]).second) {
      check.error(item, "listed twice");
    }
  }
  if (qops.count("auth-int") != 0 && check.config().limits.max_auth_int_body_bytes == 0) {
    check.warning(at + ".qop", "auth-int with limits.max_auth_int_body_bytes 0: only empty bodies verify");
  }
  if (!d.nonce_secret_file.empty()) {
    std::error_code ec;
    if (auto problem = unreadable_file_problem(d.nonce_secret_file)) {
      check.error(at + ".nonce_secret_file", *problem);
    } else if (const auto size = std::filesystem::file_size(d.nonce_secret_file, ec);
               ec || size < 33 || size > max_secret_bytes) {
      // 32 bytes at least, plus the newline an editor adds (which is not part of the secret); at most what
      // read_secret_file() reads.
      check.error(at + ".nonce_secret_file",
                  "the secret must be at least 32 bytes and at most 4 KiB (e.g. openssl rand -hex 32)");
    }
  }
  // python requests and httpx send such a realm back unescaped (a field that does not parse) and curl
  // before 7.84 hashed it with its escapes left in (curl test 1095): docs/digest.md.
  if (realm.realm.find_first_of("\"\\") != std::string::npos) {
    check.warning(path + ".realm",
                  "a digest realm with '\"' or '\\' locks out python requests and httpx (they send it back "
                  "unescaped) and curl before 7.84");
  }
}

}  // namespace authgate::config::detail
