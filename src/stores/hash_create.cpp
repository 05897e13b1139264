// Creating hashes: new ones for `authgate passwd`, and hash_like() for a store's dummy hash.
#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cerrno>
#include <vector>

#include "authgate/stores/password_hash.hpp"
#include "stores/hash_backend.hpp"
#include "stores/hash_format.hpp"

namespace authgate::stores {
namespace {

using Result = boost::system::result<std::string>;

boost::system::error_code errc(boost::system::errc::errc_t code) {
  return boost::system::errc::make_error_code(code);
}

/// A fresh crypt(3) setting (prefix + cost + random salt) from libcrypt's own OS randomness.
Result gensalt(const char* prefix, unsigned long count) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn(prefix, count, nullptr, 0, setting, sizeof setting) == nullptr) {
    return errc(errno == EINVAL ? boost::system::errc::invalid_argument : boost::system::errc::io_error);
  }
  return std::string(setting);
}

Result crypt_with(std::string_view password, std::string_view setting) {
  auto out = detail::run_crypt(password, setting);
  if (!out) return errc(boost::system::errc::invalid_argument);
  return std::move(*out);
}

bool has_nul(std::string_view s) noexcept { return s.find('\0') != std::string_view::npos; }

Result argon2id_with(std::string_view password, const Argon2Params& params) {
  std::vector<unsigned char> salt(params.salt_bytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return errc(boost::system::errc::io_error);
  std::string encoded(argon2_encodedlen(params.time_cost, params.memory_kib, params.lanes,
                                        static_cast<std::uint32_t>(salt.size()),
                                        static_cast<std::uint32_t>(params.hash_bytes), Argon2_id),
                      '\0');
  const int rc = argon2id_hash_encoded(params.time_cost, params.memory_kib, params.lanes, password.data(),
                                       password.size(), salt.data(), salt.size(), params.hash_bytes,
                                       encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return errc(rc == ARGON2_MEMORY_ALLOCATION_ERROR ? boost::system::errc::not_enough_memory
                                                     : boost::system::errc::invalid_argument);
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

}  // namespace

Result hash_bcrypt(std::string_view password, int cost) {
  // bcrypt silently ignores bytes after the 72nd: refuse rather than store a weaker secret than typed.
  if (cost < 4 || cost > 17 || password.size() > 72 || has_nul(password)) {
    return errc(boost::system::errc::invalid_argument);
  }
  // "$2y$" like Apache's htpasswd -B, so Apache, nginx and older libraries all read it.
  auto setting = gensalt("$2y$", static_cast<unsigned long>(cost));
  if (!setting) return setting;
  return crypt_with(password, *setting);
}

Result hash_argon2id(std::string_view password, const Argon2Params& params) {
  if (params.salt_bytes < 8 || params.hash_bytes < 16 || params.lanes < 1 || params.time_cost < 1 ||
      params.memory_kib < 8 * params.lanes || password.size() > max_password_bytes || has_nul(password)) {
    return errc(boost::system::errc::invalid_argument);
  }
  return argon2id_with(password, params);
}

Result hash_sha512_crypt(std::string_view password, std::uint32_t rounds) {
  if (rounds < 1000 || rounds > CostLimits{}.max_sha_crypt_rounds || password.size() > max_password_bytes ||
      has_nul(password)) {
    return errc(boost::system::errc::invalid_argument);
  }
  auto setting = gensalt("$6$", rounds);
  if (!setting) return setting;
  return crypt_with(password, *setting);
}

Result hash_like(std::string_view password, std::string_view model) {
  if (!check_hash(model).empty() || has_nul(password)) return errc(boost::system::errc::invalid_argument);
  switch (classify_hash(model)) {
    case HashKind::apr1_md5: {
      auto out = detail::run_apr1(password, model);
      if (!out) return errc(boost::system::errc::invalid_argument);
      return std::move(*out);
    }
    case HashKind::sha1:
      return detail::run_apr_sha1(password);
    case HashKind::plaintext:
      return std::string(password);
    case HashKind::argon2id: {
      const auto setting = detail::parse_argon2id(model);
      Argon2Params params;
      params.time_cost = setting->time_cost;
      params.memory_kib = setting->memory_kib;
      params.lanes = setting->lanes;
      params.salt_bytes = *detail::unpadded_base64_bytes(setting->salt_b64);
      params.hash_bytes = *detail::unpadded_base64_bytes(setting->hash_b64);
      return argon2id_with(password, params);
    }
    case HashKind::unknown:
      return errc(boost::system::errc::invalid_argument);
    default:
      return crypt_with(password, model);  // the model's setting: algorithm, cost and salt
  }
}

}  // namespace authgate::stores
