// The immutable in-memory store and its dummy hash.
#include "authgate/stores/memory_store.hpp"

#include "authgate/stores/password_hash.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <set>
#include <unordered_map>
#include <utility>

namespace authgate::stores {
namespace {

/// Lets the maps be searched with a string_view without building a std::string per lookup.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

class MemoryStore final : public PasswordStore {
 public:
  MemoryStore(std::vector<UserRecord> records, GroupsByUser groups, std::string dummy,
              std::uint64_t generation)
      : dummy_(std::move(dummy)), generation_(generation) {
    users_.reserve(records.size());
    for (auto& record : records) {
      auto user = record.user;
      users_[std::move(user)].push_back(std::move(record));
    }
    for (auto& entry : groups) groups_.emplace(entry.first, std::move(entry.second));
  }

  const UserRecord* find(std::string_view user) const noexcept override { return exact(user, ""); }

  std::vector<std::string> groups_of(std::string_view user) const override {
    const auto it = groups_.find(user);
    return it == groups_.end() ? std::vector<std::string>{} : it->second;
  }

  std::string_view dummy_hash() const noexcept override { return dummy_; }
  std::uint64_t generation() const noexcept override { return generation_; }

 protected:
  const UserRecord* find_in_realm(std::string_view user, std::string_view realm) const noexcept override {
    const UserRecord* record = exact(user, realm);
    return record != nullptr ? record : exact(user, "");
  }

 private:
  /// The first record of `user` whose realm is exactly `realm` ("" for one valid in every realm).
  const UserRecord* exact(std::string_view user, std::string_view realm) const noexcept {
    const auto it = users_.find(user);
    if (it == users_.end()) return nullptr;
    for (const auto& record : it->second) {
      if (record.realm == realm) return &record;
    }
    return nullptr;
  }

  StringMap<std::vector<UserRecord>> users_;  // a user's records, one per realm (usually one)
  StringMap<std::vector<std::string>> groups_;
  std::string dummy_;
  std::uint64_t generation_;
};

/// The entry whose (kind, cost) takes longest to verify among the entries `eligible` admits: each class
/// is timed once, verifying `password` against its first entry. Why the most expensive and not the most
/// common: an unknown user must cost what the dearest real user costs, or exactly the users with a
/// stronger hash than the typical one (mixed costs are the norm after a cost increase) are told apart
/// from non-existent ones by timing (issue 11 F6). Cheaper users' failures are padded up to it by the
/// Basic scheme (schemes/basic/failure_floor.hpp).
const UserRecord* most_expensive(std::span<const UserRecord> records, bool (*eligible)(HashKind),
                                 std::string_view password) {
  std::set<std::pair<HashKind, std::string_view>> timed;
  const UserRecord* best = nullptr;
  auto best_time = std::chrono::steady_clock::duration::min();
  for (const auto& record : records) {
    if (!eligible(record.kind) || !timed.emplace(record.kind, cost_prefix(record.hash)).second) continue;
    const auto start = std::chrono::steady_clock::now();
    (void)verify_password(password, record.hash, /*allow_weak=*/true);
    const auto took = std::chrono::steady_clock::now() - start;
    if (took > best_time) {
      best_time = took;
      best = &record;
    }
  }
  return best;
}

bool any_kind(HashKind) { return true; }

}  // namespace

boost::system::result<std::string> make_dummy_hash(std::span<const UserRecord> records) {
  unsigned char random[24];
  if (RAND_bytes(random, sizeof random) != 1) {
    return boost::system::errc::make_error_code(boost::system::errc::io_error);
  }
  // A printable random password (hex): valid input for every format, never a real user's secret.
  static constexpr char hex[] = "0123456789abcdef";
  std::string password;
  for (unsigned char byte : random) {
    password += hex[byte >> 4];
    password += hex[byte & 15];
  }
  const UserRecord* model = most_expensive(records, is_expensive, password);
  if (model == nullptr) model = most_expensive(records, any_kind, password);
  return hash_like(password,
                   model != nullptr ? std::string_view(model->hash) : "{SHA}EfatjsUqKYSrqv18O1FlA3hcIHI=");
}

std::shared_ptr<const PasswordStore> make_memory_store(std::vector<UserRecord> records, GroupsByUser groups,
                                                       std::string dummy_hash, std::uint64_t generation) {
  return std::make_shared<const MemoryStore>(std::move(records), std::move(groups), std::move(dummy_hash),
                                             generation);
}

}  // namespace authgate::stores
