#pragma once
// Text written into room the caller sized beforehand for the worst case: one copy per piece and no check
// for room. For the answers the gateway writes most often (a local reply, an access-log line), where a
// string's append, with its capacity check per piece, cost more than the bytes.

#include <charconv>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace authgate::gateway {

class WireWriter {
 public:
  /// The most bytes number() writes: "-9223372036854775808" and one to spare.
  static constexpr std::size_t max_number_bytes = 21;

  explicit WireWriter(char* at) noexcept : at_(at) {}

  WireWriter& put(std::string_view text) noexcept {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
    return *this;
  }
  template <typename Int>
  WireWriter& number(Int value) noexcept {
    at_ = std::to_chars(at_, at_ + max_number_bytes, value).ptr;
    return *this;
  }
  /// For writers that fill a piece themselves (an escaper): where the next byte goes, and where it ended.
  [[nodiscard]] char* end() const noexcept { return at_; }
  void advance_to(char* at) noexcept { at_ = at; }

 private:
  char* at_;
};

}  // namespace authgate::gateway
