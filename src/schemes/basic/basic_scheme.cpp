// The Basic scheme (RFC 7617) over a PasswordStore, with timing equalised between unknown users, wrong
// passwords and refused hash formats.
#include <thread>
#include <utility>

#include "authgate/schemes/basic.hpp"
#include "authgate/schemes/identity_fields.hpp"
#include "schemes/basic/failure_floor.hpp"

namespace authgate::schemes {
namespace {

using stores::HashKind;
using stores::VerifyResult;

constexpr std::string_view scheme_name = "Basic";

class BasicScheme final : public Scheme {
 public:
  BasicScheme(BasicOptions options, std::shared_ptr<const stores::PasswordStore> store)
      : options_(std::move(options)),
        store_(std::move(store)),
        padded_(stores::is_expensive(stores::classify_hash(store_->dummy_hash()))),
        floor_(padded_ ? time_dummy() : std::chrono::nanoseconds{0}, pause_of(options_)) {}

  std::string_view name() const noexcept override { return scheme_name; }

  grammar::Challenge challenge(const ChallengeContext&) const override {
    // RFC 7617 §2.1: charset="UTF-8" tells clients to send user-id and password as UTF-8.
    return grammar::Challenge{
        std::string(scheme_name), std::nullopt, {{"realm", options_.realm}, {"charset", "UTF-8"}}};
  }

  Work work(const grammar::Credentials& credentials) const noexcept override {
    BasicUserPass user_pass;
    if (decode_basic_credentials(credentials, user_pass) != Reason::ok) return Work::pure;
    // With a failure floor any refusal may wait for it: only a hashing thread may.
    const bool slow = padded_ || stores::is_expensive(kind_to_verify(store_->find(user_pass.user())));
    return slow ? Work::hashing : Work::pure;
  }

  bool is_cacheable() const noexcept override { return true; }

  std::string claimed_user(const grammar::Credentials& credentials) const override {
    BasicUserPass user_pass;  // wipes the password it decoded when it goes
    if (decode_basic_credentials(credentials, user_pass) != Reason::ok) return {};
    return std::string(user_pass.user());
  }

  Outcome authenticate(const grammar::Credentials& credentials, const RequestFacts&) const override {
    if (!grammar::iequals(credentials.scheme, scheme_name)) return rejected(Reason::scheme_not_accepted);
    BasicUserPass user_pass;
    if (const Reason why = decode_basic_credentials(credentials, user_pass); why != Reason::ok) {
      return Malformed{why, std::string(scheme_name), {}};
    }
    const auto start = std::chrono::steady_clock::now();
    const stores::UserRecord* record = store_->find(user_pass.user());
    if (record == nullptr) {
      // No user enumeration by timing: an unknown user costs one verification of a hash with the
      // algorithm and cost of the store's dearest entry, like a wrong password (docs/stores.md).
      verify_dummy(user_pass.password(), start);
      return rejected(Reason::unknown_user);
    }
    switch (stores::verify_password(user_pass.password(), record->hash, options_.allow_weak_hashes)) {
      case VerifyResult::match:
        return authenticated(record->user);
      case VerifyResult::mismatch:
        pad_failure(*record, start);
        return rejected(Reason::wrong_password);
      case VerifyResult::unsupported:
        // Refused without computing: spend what a wrong password would, so the refusal is invisible.
        verify_dummy(user_pass.password(), start);
        return rejected(Reason::unsupported_hash);
      case VerifyResult::malformed:
        break;
    }
    return Unavailable{Reason::store_unavailable};  // a stored hash libcrypt refuses: machinery, not user
  }

  std::uint64_t generation() const noexcept override { return store_->generation(); }

 private:
  /// The kind of hash authenticate() will actually compute for this record (nullptr = unknown user).
  HashKind kind_to_verify(const stores::UserRecord* record) const noexcept {
    if (record != nullptr && !(stores::is_weak(record->kind) && !options_.allow_weak_hashes))
      return record->kind;
    return stores::classify_hash(store_->dummy_hash());
  }

  void verify_dummy(std::string_view password, std::chrono::steady_clock::time_point start) const {
    (void)stores::verify_password(password, store_->dummy_hash(), options_.allow_weak_hashes);
    if (padded_) floor_.observe(std::chrono::steady_clock::now() - start);
  }

  /// A wrong password for `record`: an entry of the dummy's class took as long as the dummy (and is a
  /// sample of it); a cheaper one waits for the floor.
  void pad_failure(const stores::UserRecord& record, std::chrono::steady_clock::time_point start) const {
    if (!padded_) return;
    const auto dummy = store_->dummy_hash();
    if (record.kind == stores::classify_hash(dummy) &&
        stores::cost_prefix(record.hash) == stores::cost_prefix(dummy)) {
      floor_.observe(std::chrono::steady_clock::now() - start);
    } else {
      floor_.wait_from(start);
    }
  }

  std::chrono::nanoseconds time_dummy() const {
    const auto start = std::chrono::steady_clock::now();
    (void)stores::verify_password("authgate-failure-floor", store_->dummy_hash(), options_.allow_weak_hashes);
    return std::chrono::steady_clock::now() - start;
  }

  static detail::FailureFloor::Pause pause_of(const BasicOptions& options) {
    if (options.pause) return options.pause;
    return [](std::chrono::nanoseconds wait) { std::this_thread::sleep_for(wait); };
  }

  Outcome authenticated(const std::string& user) const {
    Identity identity{user, store_->groups_of(user), std::string(scheme_name), {}, {}};
    // The store's loader refuses such names with file:line; this holds for any PasswordStore.
    if (identity_field_problem(identity)) return rejected(Reason::unsafe_identity);
    return Authenticated{std::move(identity), std::nullopt};
  }

  static Outcome rejected(Reason why) { return Rejected{why, std::string(scheme_name), {}}; }

  BasicOptions options_;
  std::shared_ptr<const stores::PasswordStore> store_;
  bool padded_;  // the dummy is an expensive hash: refusals are held to the failure floor
  mutable detail::FailureFloor floor_;
};

}  // namespace

std::shared_ptr<const Scheme> make_basic_scheme(BasicOptions options,
                                                std::shared_ptr<const stores::PasswordStore> store) {
  return std::make_shared<const BasicScheme>(std::move(options), std::move(store));
}

}  // namespace authgate::schemes
