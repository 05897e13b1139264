// parse_htpasswd() on arbitrary htpasswd and group-file content: never crashes, hangs or leaks; a
// loaded store finds exactly the users whose lines it accepted; errors point inside the input.
// Input: htpasswd content, optionally followed by 0xFF and group-file content.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "authgate/stores/htpasswd.hpp"

namespace {

/// Cheap costs, so the dummy hash and the fuzzer stay fast; the parsing paths are the same.
authgate::stores::FileLimits fuzz_limits() {
  authgate::stores::FileLimits limits;
  limits.max_line_bytes = 1024;
  limits.cost.max_bcrypt_cost = 5;
  limits.cost.max_sha_crypt_rounds = 5000;
  limits.cost.max_memory_bytes = 1u << 20;
  limits.cost.max_argon2_time = 2;
  limits.cost.max_argon2_lanes = 2;
  return limits;
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find('\xff');
  const auto users = input.substr(0, split);
  const auto groups = split == std::string_view::npos ? std::string_view{} : input.substr(split + 1);
  static const auto limits = fuzz_limits();
  auto store = authgate::stores::parse_htpasswd(users, "users", groups, "groups", 1, limits);
  if (!store) {
    const auto& e = store.error();
    const auto& content = e.file == "users" ? users : groups;
    check(e.line >= 0 && e.column >= 0 && !e.reason.empty());
    check(static_cast<std::size_t>(e.line) <= content.size() + 1);
    (void)e.to_string();
    return 0;
  }
  const auto& s = **store;
  check(s.generation() == 1);
  check(authgate::stores::classify_hash(s.dummy_hash()) != authgate::stores::HashKind::unknown);
  // Every user the first line names must be found again with a hash that passes the same check.
  const auto first = users.substr(0, users.find('\n'));
  for (std::string_view name :
       {first.substr(0, first.find(':')), std::string_view("root"), std::string_view("")}) {
    if (const auto* record = s.find(name)) {
      check(record->user == name);
      check(authgate::stores::check_hash(record->hash, limits.cost).empty());
      (void)s.groups_of(name);
    }
  }
  return 0;
}
