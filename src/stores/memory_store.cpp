// The immutable in-memory store and its dummy hash.
#include "authgate/stores/memory_store.hpp"

#include <openssl/rand.h>

#include <map>
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
      users_.emplace(std::move(user), std::move(record));
    }
    for (auto& entry : groups) groups_.emplace(entry.first, std::move(entry.second));
  }

  const UserRecord* find(std::string_view user) const noexcept override {
    const auto it = users_.find(user);
    return it == users_.end() ? nullptr : &it->second;
  }

  std::vector<std::string> groups_of(std::string_view user) const override {
    const auto it = groups_.find(user);
    return it == groups_.end() ? std::vector<std::string>{} : it->second;
  }

  std::string_view dummy_hash() const noexcept override { return dummy_; }
  std::uint64_t generation() const noexcept override { return generation_; }

 private:
  StringMap<UserRecord> users_;
  StringMap<std::vector<std::string>> groups_;
  std::string dummy_;
  std::uint64_t generation_;
};

/// The hash of the entry whose (kind, cost) is most common among the entries `eligible` admits; the
/// earliest line wins a tie, so the choice is deterministic.
const UserRecord* most_common(std::span<const UserRecord> records, bool (*eligible)(HashKind)) {
  std::map<std::pair<HashKind, std::string_view>, std::pair<std::size_t, const UserRecord*>> counts;
  const UserRecord* best = nullptr;
  std::size_t best_count = 0;
  for (const auto& record : records) {
    if (!eligible(record.kind)) continue;
    auto& [count, first] = counts[{record.kind, cost_prefix(record.hash)}];
    if (count++ == 0) first = &record;
    if (best == nullptr || count > best_count || (count == best_count && first->line < best->line)) {
      best_count = count;
      best = first;
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
  const UserRecord* model = most_common(records, is_expensive);
  if (model == nullptr) model = most_common(records, any_kind);
  return hash_like(password,
                   model != nullptr ? std::string_view(model->hash) : "{SHA}EfatjsUqKYSrqv18O1FlA3hcIHI=");
}

std::shared_ptr<const PasswordStore> make_memory_store(std::vector<UserRecord> records, GroupsByUser groups,
                                                       std::string dummy_hash, std::uint64_t generation) {
  return std::make_shared<const MemoryStore>(std::move(records), std::move(groups), std::move(dummy_hash),
                                             generation);
}

}  // namespace authgate::stores
