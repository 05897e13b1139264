#pragma once
// Reading the external test vectors (tests/data/vectors, copied from the team's shared vectors) and small
// helpers shared by the jose tests.

#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "authgate/grammar/ascii.hpp"
#include "authgate/jose/jwks.hpp"

namespace authgate::test {

inline std::string vectors_path(const std::string& relative) {
  return std::string(AUTHGATE_VECTORS_DIR) + "/" + relative;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline boost::json::value read_json(const std::string& path) { return boost::json::parse(read_text(path)); }

inline std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(grammar::hex_value(hex[i]) << 4 | grammar::hex_value(hex[i + 1]));
  return out;
}

/// The JWK without its private members, as a verifier would publish it.
inline boost::json::object public_only(boost::json::object jwk) {
  for (const char* name : {"d", "p", "q", "dp", "dq", "qi", "oth"}) jwk.erase(name);
  return jwk;
}

inline std::string text(const boost::json::value& value) { return boost::json::serialize(value); }

/// A KeySet holding the given keys (each must load).
inline std::shared_ptr<const jose::KeySet> set_of(std::vector<std::shared_ptr<const jose::Key>> keys) {
  return std::make_shared<const jose::KeySet>(std::move(keys));
}

inline std::shared_ptr<const jose::Key> jwk_key(const std::string& json) {
  auto key = jose::key_from_jwk(json);
  if (!key) throw std::runtime_error("test key does not load: " + key.error().message());
  return *key;
}

}  // namespace authgate::test
