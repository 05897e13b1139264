// Names and families of the JWS algorithms.
#include "authgate/jose/alg.hpp"

#include <array>
#include <utility>

namespace authgate::jose {
namespace {

constexpr std::array<std::pair<Alg, std::string_view>, 13> names{{
    {Alg::rs256, "RS256"},
    {Alg::rs384, "RS384"},
    {Alg::rs512, "RS512"},
    {Alg::ps256, "PS256"},
    {Alg::ps384, "PS384"},
    {Alg::ps512, "PS512"},
    {Alg::es256, "ES256"},
    {Alg::es384, "ES384"},
    {Alg::es512, "ES512"},
    {Alg::eddsa, "EdDSA"},
    {Alg::hs256, "HS256"},
    {Alg::hs384, "HS384"},
    {Alg::hs512, "HS512"},
}};

constexpr std::array<Alg, 13> every_alg{Alg::rs256, Alg::rs384, Alg::rs512, Alg::ps256, Alg::ps384,
                                        Alg::ps512, Alg::es256, Alg::es384, Alg::es512, Alg::eddsa,
                                        Alg::hs256, Alg::hs384, Alg::hs512};

}  // namespace

std::optional<Alg> parse_alg(std::string_view name) noexcept {
  for (const auto& [alg, text] : names) {
    if (text == name) return alg;
  }
  return std::nullopt;
}

std::string_view to_string(Alg alg) noexcept {
  for (const auto& [candidate, text] : names) {
    if (candidate == alg) return text;
  }
  return "?";
}

std::span<const Alg> all_algs() noexcept { return every_alg; }

bool alg_fits(Alg alg, KeyType type) noexcept {
  switch (alg) {
    case Alg::rs256:
    case Alg::rs384:
    case Alg::rs512:
    case Alg::ps256:
    case Alg::ps384:
    case Alg::ps512:
      return type == KeyType::rsa;
    case Alg::es256:
      return type == KeyType::ec_p256;
    case Alg::es384:
      return type == KeyType::ec_p384;
    case Alg::es512:
      return type == KeyType::ec_p521;
    case Alg::eddsa:
      return type == KeyType::ed25519 || type == KeyType::ed448;
    case Alg::hs256:
    case Alg::hs384:
    case Alg::hs512:
      return type == KeyType::oct;
  }
  return false;
}

std::size_t hash_length(Alg alg) noexcept {
  switch (alg) {
    case Alg::rs256:
    case Alg::ps256:
    case Alg::es256:
    case Alg::hs256:
      return 32;
    case Alg::rs384:
    case Alg::ps384:
    case Alg::es384:
    case Alg::hs384:
      return 48;
    case Alg::rs512:
    case Alg::ps512:
    case Alg::es512:
    case Alg::hs512:
      return 64;
    case Alg::eddsa:
      return 0;
  }
  return 0;
}

std::string_view to_string(KeyType type) noexcept {
  switch (type) {
    case KeyType::rsa:
      return "RSA";
    case KeyType::ec_p256:
      return "EC P-256";
    case KeyType::ec_p384:
      return "EC P-384";
    case KeyType::ec_p521:
      return "EC P-521";
    case KeyType::ed25519:
      return "OKP Ed25519";
    case KeyType::ed448:
      return "OKP Ed448";
    case KeyType::oct:
      return "oct";
  }
  return "?";
}

}  // namespace authgate::jose
