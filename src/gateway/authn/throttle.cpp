#include "gateway/authn/throttle.hpp"

#include <openssl/sha.h>

#include <algorithm>

#include <boost/asio/ip/address.hpp>

#include "authgate/grammar/ascii.hpp"
#include "authgate/grammar/parse.hpp"

namespace authgate::gateway {
namespace {

using stores::FailureWindow;
using stores::StateResult;

constexpr std::size_t key_digest_bytes = 16;  // of SHA-256: collisions stay out of reach, keys stay short

/// `kind` + the first bytes of SHA-256(content): a bounded key whatever the user sent.
std::string store_key(char kind, std::string_view content) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest);
  std::string key(1, kind);
  key.append(reinterpret_cast<const char*>(digest), key_digest_bytes);
  return key;
}

// The failure and ban keys of one subject key: two windows in the store's failure space.
std::string failure_key(const std::string& key) { return "f" + key; }
std::string ban_key(const std::string& key) { return "b" + key; }

/// The client address as it counts: IPv4 (or IPv4-mapped IPv6) as is, IPv6 cut to its network, because
/// one subscriber gets a whole /64 and would otherwise have 2^64 addresses to guess from.
std::string address_content(std::string_view client, unsigned ipv6_prefix) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(client, ec);
  if (ec) return std::string(client);
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4()) return address.to_string();
  auto bytes = address.to_v6().to_bytes();
  for (std::size_t bit = ipv6_prefix; bit < 128; ++bit) {
    bytes[bit / 8] = static_cast<unsigned char>(bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  }
  return boost::asio::ip::address_v6(bytes).to_string() + "/" + std::to_string(ipv6_prefix);
}

const Scheme* scheme_for(const config::CompiledRoute& route, std::string_view name) {
  const auto it = std::find_if(
      route.realms.begin(), route.realms.end(),
      [&](const config::CompiledRealm* realm) { return grammar::iequals(realm->scheme->name(), name); });
  return it != route.realms.end() ? (*it)->scheme.get() : nullptr;
}

std::string_view realm_of(const config::CompiledRoute& route, std::string_view scheme) {
  for (const auto* realm : route.realms) {
    if (grammar::iequals(realm->scheme->name(), scheme)) return realm->name;
  }
  return {};
}

/// The failure window of `key`, when the store answers without waiting; nullopt otherwise.
std::optional<FailureWindow> window_now(stores::StateStore& store, const std::string& key) {
  std::optional<FailureWindow> found;
  if (!store.completes_inline()) return found;
  store.failures(key, [&found](StateResult<FailureWindow> result) {
    if (result) found = *result;
  });
  return found;
}

/// Adds a failure for `key` and bans it for `limit.ban` once it reaches `limit.max_failures`.
void add_failure(stores::StateStore& store, const std::string& key, const config::ThrottleLimit& limit) {
  store.add_failure(failure_key(key), limit.window,
                    [&store, ban = ban_key(key), limit](StateResult<FailureWindow> result) {
                      // A failure the store could not count is over every limit (FailureWindow::recorded).
                      if (!result || result->count < limit.max_failures) return;
                      store.add_failure(ban, limit.ban, [](const StateResult<FailureWindow>&) {});
                    });
}

}  // namespace

ThrottleSubject throttle_subject(const config::CompiledRoute& route, const schemes::Presented& presented,
                                 const RequestFacts& facts) {
  const auto& throttle = *route.throttle;
  ThrottleSubject subject;
  if (throttle.users.max_failures != 0) {
    if (const Scheme* scheme = scheme_for(route, presented.scheme)) {
      const auto parsed = grammar::parse_credentials(presented.field);
      if (parsed) subject.user = scheme->claimed_user(*parsed);
    }
    if (!subject.user.empty()) {
      std::string content =
          throttle.per_realm ? std::string(realm_of(route, presented.scheme)) : std::string();
      content.append(1, '\0').append(subject.user);
      subject.user_key = store_key('u', content);
    }
  }
  if (throttle.addresses.max_failures != 0 && !facts.client_address.empty()) {
    subject.address_key = store_key('a', address_content(facts.client_address, throttle.ipv6_prefix));
  }
  return subject;
}

std::optional<Ban> ban_in_force(const config::CompiledRoute& route, const ThrottleSubject& subject,
                                std::chrono::system_clock::time_point now) {
  if (route.state == nullptr) return std::nullopt;
  std::optional<Ban> ban;
  const auto consider = [&](const std::string& key, std::string_view by) {
    if (key.empty()) return;
    const auto window = window_now(*route.state, ban_key(key));
    if (!window || window->count == 0) return;
    const auto left = std::chrono::ceil<std::chrono::seconds>(window->resets_at - now);
    const auto retry_after = std::max(left, std::chrono::seconds{1});
    if (!ban || retry_after > ban->outcome.retry_after) ban = Ban{Throttled{retry_after}, by};
  };
  consider(subject.user_key, "user");
  consider(subject.address_key, "address");
  return ban;
}

bool counts_as_failure(const Outcome& outcome) noexcept {
  const auto* rejected = std::get_if<Rejected>(&outcome);
  if (rejected == nullptr) return false;
  switch (rejected->reason) {
    case Reason::wrong_password:
    case Reason::unknown_user:
    case Reason::invalid_token:
    case Reason::bad_signature:
    case Reason::unknown_key:
      return true;
    default:
      return false;
  }
}

void count_outcome(const config::CompiledRoute& route, const ThrottleSubject& subject,
                   const Outcome& outcome) {
  if (route.throttle == nullptr || route.state == nullptr) return;
  auto& store = *route.state;
  if (counts_as_failure(outcome)) {
    if (!subject.user_key.empty()) add_failure(store, subject.user_key, route.throttle->users);
    if (!subject.address_key.empty()) add_failure(store, subject.address_key, route.throttle->addresses);
  } else if (std::holds_alternative<Authenticated>(outcome) && !subject.user_key.empty()) {
    store.clear_failures(failure_key(subject.user_key), [](const StateResult<void>&) {});
  }
}

}  // namespace authgate::gateway
