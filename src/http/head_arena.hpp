#pragma once
// Where one request's header fields live. Beast's basic_fields allocates one heap element per field
// line; a proxied request parses, rewrites and relays two heads, about fifteen field lines. Through
// HeadAllocator (the allocator basic_fields takes) they come from this arena instead: one block taken
// from the I/O thread's spare blocks on the first field, handed back whole when the request ends.
// An idle connection holds no block: the arena takes one only when a field is parsed.

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

namespace authgate::gateway {

/// Bump allocation from blocks of `block_bytes`. Freeing is a no-op except for the newest allocation
/// (a field set twice in a row reuses its room); everything goes back at release() or destruction.
/// Bounded by what it is asked for: every head is bounded (header limits), and so is the number of heads
/// one request parses. Not thread-safe: it belongs to one request, on one strand.
class HeadArena {
 public:
  static constexpr std::size_t block_bytes = 4096;

  HeadArena() = default;
  HeadArena(const HeadArena&) = delete;
  HeadArena& operator=(const HeadArena&) = delete;
  ~HeadArena() { release(); }

  void* allocate(std::size_t bytes, std::size_t align);
  void deallocate(void* pointer, std::size_t bytes) noexcept;
  /// Hands every block back; nothing allocated from the arena may be used afterwards.
  void release() noexcept;

  /// Bytes in blocks held now (tests and the budget report).
  std::size_t held_bytes() const noexcept;

  struct Block;  // a block's header, its bytes after it (head_arena.cpp)

 private:
  Block* blocks_ = nullptr;  // newest first
  char* cursor_ = nullptr;
  char* end_ = nullptr;
  char* last_ = nullptr;  // start of the newest allocation (the one deallocate() can take back)

  void take_block(std::size_t at_least);
};

/// The allocator of Fields. Default-constructed it is std::allocator (tests, a head built by hand);
/// made from an arena it allocates there. A copy of a Fields object goes to the heap, since a copy may
/// outlive the request; a move keeps the arena.
template <class T>
class HeadAllocator {
 public:
  // The names std::allocator_traits looks for.
  // NOLINTBEGIN(readability-identifier-naming)
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::false_type;
  // NOLINTEND(readability-identifier-naming)

  HeadAllocator() noexcept = default;
  explicit HeadAllocator(HeadArena& arena) noexcept : arena_(&arena) {}
  template <class U>
  HeadAllocator(const HeadAllocator<U>& other) noexcept : arena_(other.arena()) {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    if (arena_ == nullptr) return std::allocator<T>{}.allocate(n);
    return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* pointer, std::size_t n) noexcept {
    if (arena_ == nullptr) {
      std::allocator<T>{}.deallocate(pointer, n);
    } else {
      arena_->deallocate(pointer, n * sizeof(T));
    }
  }
  HeadAllocator select_on_container_copy_construction() const noexcept { return {}; }

  HeadArena* arena() const noexcept { return arena_; }
  template <class U>
  bool operator==(const HeadAllocator<U>& other) const noexcept {
    return arena_ == other.arena();
  }

 private:
  HeadArena* arena_ = nullptr;
};

namespace http = boost::beast::http;

/// Bytes the gateway writes itself (a local reply), in the request's arena when made with one.
using ArenaString = std::basic_string<char, std::char_traits<char>, HeadAllocator<char>>;

/// The header containers of the request path.
using Fields = http::basic_fields<HeadAllocator<char>>;
using RequestHead = http::request_header<Fields>;
using ResponseHead = http::response_header<Fields>;

}  // namespace authgate::gateway
