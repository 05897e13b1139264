// Checks of stores and realms.
#include <map>
#include <set>

#include "config/checker.hpp"
#include "config/syntax.hpp"

namespace authgate::config::detail {
namespace {

bool realm_used(const Config& config, const std::string& name) {
  const auto names = [&](const std::vector<std::string>& realms) {
    return std::find(realms.begin(), realms.end(), name) != realms.end();
  };
  return std::any_of(config.routes.begin(), config.routes.end(),
                     [&](const Route& route) { return names(route.realms); }) ||
         std::any_of(config.listeners.begin(), config.listeners.end(), [&](const Listener& listener) {
           return listener.forward_proxy && names(listener.forward_proxy->realms);
         });
}

bool store_used(const Config& config, const std::string& name) {
  return std::any_of(config.realms.begin(), config.realms.end(),
                     [&](const Realm& r) { return r.store == name; });
}

// RFC 9110 §5.5 field values: no control characters other than HTAB (the realm is sent in a
// quoted-string, RFC 9110 §11.2).
bool is_field_text(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7F;
  });
}

void check_realm_store(Checker& check, const Realm& realm, const std::string& path) {
  if (realm.store.empty()) {
    check.error(path, "a " + realm.scheme + " realm needs a store");
  } else if (const Store* store = find_named(check.config().stores, realm.store); store == nullptr) {
    check.error(path + ".store", "unknown store " + in_quotes(realm.store) +
                                     " (defined: " + list_names(check.config().stores) + ")");
  } else if (store->type != "htpasswd") {
    check.error(path + ".store", "store " + in_quotes(realm.store) + " is of type " + in_quotes(store->type) +
                                     "; a basic realm needs an htpasswd store");
  }
}

// An in-code config can set Bearer fields on a Basic realm; the loader reports these at the key.
void check_basic_keys(Checker& check, const Realm& realm, const std::string& path) {
  check_realm_store(check, realm, path);
  const BearerRealm& b = realm.bearer;
  if (!b.jwks_file.empty() || !b.pem_file.empty() || !b.hmac_secret_file.empty() || b.remote ||
      b.introspection || !b.algorithms.empty()) {
    check.error(path, "bearer keys (key source, algorithms) on a basic realm");
  }
}

}  // namespace

bool uses_basic(const Config& config) {
  return std::any_of(config.realms.begin(), config.realms.end(), [&](const Realm& realm) {
    return realm.scheme == "basic" && realm_used(config, realm.name);
  });
}

void check_stores(Checker& check) {
  std::set<std::string> names;
  for (const Store& store : check.config().stores) {
    const std::string path = "stores." + store.name;
    if (!is_name(store.name)) check.error(path, "invalid name " + in_quotes(store.name));
    if (!names.insert(store.name).second) check.error(path, "duplicate store name " + in_quotes(store.name));
    if (store.type != "htpasswd" && store.type != "htdigest") {
      check.error(path + ".type",
                  "unknown store type " + in_quotes(store.type) + " (supported: htpasswd, htdigest)");
      continue;
    }
    if (auto problem = unreadable_file_problem(store.path)) check.error(path + ".path", *problem);
    if (!store.groups_path.empty()) {
      if (auto problem = unreadable_file_problem(store.groups_path)) check.error(path + ".groups", *problem);
    }
    if (!store_used(check.config(), store.name)) check.warning(path, "not used by any realm");
  }
}

void check_realms(Checker& check) {
  std::set<std::string> names;
  std::map<std::string, std::string> realm_strings;  // realm string → realm name
  for (const Realm& realm : check.config().realms) {
    const std::string path = "realms." + realm.name;
    if (!is_name(realm.name)) check.error(path, "invalid name " + in_quotes(realm.name));
    if (!names.insert(realm.name).second) check.error(path, "duplicate realm name " + in_quotes(realm.name));
    if (!scheme_kind(realm.scheme)) {
      check.error(path + ".scheme",
                  "unknown scheme " + in_quotes(realm.scheme) + " (supported: basic, bearer, digest)");
      continue;
    }
    if (!is_field_text(realm.realm) || realm.realm.size() > 256) {
      check.error(path + ".realm", "the realm must be at most 256 bytes without control characters");
    }
    // RFC 9110 §11.5: a protection space is the realm string and the origin; two realms with one string
    // make clients send one realm's credentials to the other.
    // (Per scheme: a Basic and a Bearer realm may share a string, their credentials differ in kind.)
    if (const auto [it, fresh] = realm_strings.emplace(realm.scheme + ' ' + realm.realm, realm.name);
        !fresh) {
      check.warning(path + ".realm", "same realm string as realm " + in_quotes(it->second) +
                                         ": clients will offer one realm's credentials to the other");
    }
    if (realm.scheme == "bearer") {
      if (!realm.store.empty()) check.error(path + ".store", "applies to basic and digest realms only");
      check_bearer_realm(check, realm, path);
    } else if (realm.scheme == "digest") {
      check_digest_realm(check, realm, path);
    } else {
      check_basic_keys(check, realm, path);
    }
    if (realm.allow_plaintext) {
      check.warning(path + ".allow_plaintext", "plaintext and DES-crypt password entries are accepted");
    }
    if (!realm_used(check.config(), realm.name))
      check.warning(path, "not used by any route or forward proxy");
  }
}

}  // namespace authgate::config::detail
