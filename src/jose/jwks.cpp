// JWK Set parsing (RFC 7517 §5) and the KeySet snapshot.
#include "authgate/jose/jwks.hpp"

#include <algorithm>
#include <map>

#include "jose/json_strict.hpp"
#include "jose/jwk_members.hpp"

namespace authgate::jose {
namespace {

namespace json = boost::json;

std::atomic<std::uint64_t> next_generation{1};

std::string kid_of(const json::value& jwk) {
  if (!jwk.is_object()) return {};
  const json::value* kid = jwk.get_object().if_contains("kid");
  if (!kid || !kid->is_string()) return {};
  return std::string(kid->get_string().data(), kid->get_string().size());
}

// RFC 7517 §4.5: "When used with JWS or JWE, the kid value is used to match a JWK ... e.g., to choose
// among a set of keys". Two entries answering to one kid make that choice ambiguous (Wycheproof
// DuplicateKid): neither is trusted — even when the other entry did not load, since the publisher
// evidently meant two different keys.
void drop_duplicate_kids(const json::array& members, std::vector<std::shared_ptr<const Key>>& keys,
                         std::vector<std::size_t>& indexes, std::vector<SkippedKey>& skipped) {
  std::map<std::string, int, std::less<>> counts;
  for (const json::value& member : members) {
    if (std::string kid = kid_of(member); !kid.empty()) ++counts[std::move(kid)];
  }
  std::vector<std::shared_ptr<const Key>> kept;
  std::vector<std::size_t> kept_indexes;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto count = counts.find(keys[i]->kid());
    if (count != counts.end() && count->second > 1) {
      skipped.push_back(
          {indexes[i], keys[i]->kid(), {KeyErrc::duplicate_kid, "kid used by more than one key"}});
      continue;
    }
    kept.push_back(keys[i]);
    kept_indexes.push_back(indexes[i]);
  }
  keys = std::move(kept);
  indexes = std::move(kept_indexes);
}

const json::array* keys_array(const json::object& root) {
  if (const json::value* keys = root.if_contains("keys"))
    return keys->is_array() ? &keys->get_array() : nullptr;
  return nullptr;
}

}  // namespace

KeySet::KeySet(std::vector<std::shared_ptr<const Key>> keys)
    : keys_(std::move(keys)), generation_(next_generation.fetch_add(1, std::memory_order_relaxed)) {}

const Key* KeySet::find(std::string_view kid) const noexcept {
  for (const auto& key : keys_) {
    if (!key->kid().empty() && key->kid() == kid) return key.get();
  }
  return nullptr;
}

JwksResult parse_jwks(std::string_view text, const JwksLimits& limits) {
  if (text.size() > limits.max_bytes) return KeyError{KeyErrc::too_large, "JWKS larger than the size limit"};
  const auto root = detail::parse_json_object(text);
  if (!root) return KeyError{KeyErrc::unparseable, "a JWKS must be one JSON object"};
  json::array single;
  const json::array* members = keys_array(*root);
  if (!members && root->contains("kty") && !root->contains("keys")) {
    single.push_back(*root);  // a bare JWK: a set of one
    members = &single;
  }
  if (!members) return KeyError{KeyErrc::missing_member, "member 'keys' (an array)"};
  if (members->size() > limits.max_keys) return KeyError{KeyErrc::too_large, "more keys than the limit"};
  JwksLoad load;
  std::vector<std::shared_ptr<const Key>> keys;
  std::vector<std::size_t> indexes;
  for (std::size_t i = 0; i < members->size(); ++i) {
    const json::value& member = (*members)[i];
    KeyResult key = member.is_object() ? detail::key_from_jwk_object(member.get_object())
                                       : KeyResult(KeyError{KeyErrc::unparseable, "not a JSON object"});
    if (!key) {
      load.skipped.push_back({i, kid_of(member), key.error()});
      continue;
    }
    keys.push_back(std::move(*key));
    indexes.push_back(i);
  }
  drop_duplicate_kids(*members, keys, indexes, load.skipped);
  const bool any_secret =
      std::any_of(keys.begin(), keys.end(), [](auto& k) { return k->type() == KeyType::oct; });
  const bool any_public =
      std::any_of(keys.begin(), keys.end(), [](auto& k) { return k->type() != KeyType::oct; });
  if (any_secret && any_public) {
    // RFC 8725 §3.1: confusing a public key with an HMAC secret is the classic JWT forgery; a set that
    // holds both kinds invites it (Wycheproof MixedKeySet), so the whole set is refused.
    return KeyError{KeyErrc::mixed_key_set, "HMAC secrets and public keys in one set"};
  }
  load.keys = std::make_shared<const KeySet>(std::move(keys));
  return load;
}

}  // namespace authgate::jose
