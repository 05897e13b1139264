#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <utility>

namespace authgate::gateway {

/// Where an idle plain connection's next request lands. It starts as a small area inside the session,
/// so an idle connection holds no heap buffer. A read that fills the area means the head did not fit
/// (a JWT, cookies): the bytes that follow cost a second read, so the area doubles on the heap for the
/// connection's next request, up to `largest`. A connection that sends long heads settles at a size
/// that takes them in one read; one that sends short ones never pays for more than the inline bytes.
class LandingArea {
 public:
  static constexpr std::size_t inline_bytes = 256;
  static constexpr std::size_t largest = 4096;

  /// The area for the next read. Grows here, not in landed(), because the bytes of the read that
  /// filled the area are still being parsed from it until the next request.
  std::span<char> next() {
    if (landed_ == size_ && size_ < largest) {
      size_ = std::min(size_ * 2, largest);
      heap_ = std::make_unique_for_overwrite<char[]>(size_);
    }
    landed_ = unparsed_ = 0;
    return current();
  }

  /// The area the last read went to.
  std::span<char> current() { return heap_ ? std::span<char>{heap_.get(), size_} : std::span<char>{inline_}; }

  /// Records how many bytes the last read brought.
  void landed(std::size_t n) {
    landed_ = n;
    unparsed_ = n;
  }

  /// The bytes of the last read, once: empty after the first call, until the next read lands.
  std::span<const char> take() { return current().first(std::exchange(unparsed_, 0)); }

  std::size_t size() const { return size_; }

 private:
  std::array<char, inline_bytes> inline_{};
  std::unique_ptr<char[]> heap_;
  std::size_t size_ = inline_bytes;
  std::size_t landed_ = 0;    // the last read's size: a full area grows before the next read
  std::size_t unparsed_ = 0;  // of those, not yet taken by the parser
};

}  // namespace authgate::gateway
