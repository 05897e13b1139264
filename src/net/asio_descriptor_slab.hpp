#pragma once
// Asio's reactor keeps one record per socket it has ever had open at once (epoll_reactor::descriptor_state,
// 168 bytes) and never frees them: a closed socket's record waits on a free list for the next socket. Made
// with plain `new`, the records of a burst of 4,000 connections land between the burst's short-lived
// allocations, one every few KiB, and pin those pages after the burst has gone (RSS stayed 6 MiB above its
// idle level). Here they come from their own slab instead: the records of the largest burst stay, packed
// together, and nothing else is held.
//
// Asio has no allocator hook for these records; object_pool_access is the one place that makes and
// destroys them, so its two functions are specialised for descriptor_state. Include this file only from
// the translation unit that compiles Asio (asio_beast_impl.cpp), before Asio's sources: the
// specialisations must be seen before their first use.

#include <atomic>
#include <cstddef>
#include <mutex>
#include <new>

#include <boost/asio/detail/config.hpp>
#include <boost/asio/detail/epoll_reactor.hpp>

namespace authgate::net {

/// Fixed-size blocks carved from chunks that are never returned (the records are never freed either).
class DescriptorSlab {
 public:
  static DescriptorSlab& instance() {
    static DescriptorSlab* slab = new DescriptorSlab;  // outlives every io_context destroyed at exit
    return *slab;
  }

  void* allocate() {
    const std::lock_guard lock(mutex_);
    if (free_ != nullptr) {
      Block* block = free_;
      free_ = block->next;
      return block;
    }
    if (used_ == per_chunk) {
      chunk_ = static_cast<Block*>(::operator new(chunk_bytes));  // NOLINT(*-owning-memory)
      used_ = 0;
      bytes_.fetch_add(chunk_bytes, std::memory_order_relaxed);
    }
    return &chunk_[used_++];
  }

  /// Bytes taken so far: what the largest burst's sockets needed, kept for the next one.
  std::size_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }

  void deallocate(void* pointer) noexcept {
    const std::lock_guard lock(mutex_);
    auto* block = static_cast<Block*>(pointer);
    block->next = free_;
    free_ = block;
  }

 private:
  using State = boost::asio::detail::epoll_reactor::descriptor_state;
  union Block {
    Block* next;
    alignas(State) unsigned char bytes[sizeof(State)];
  };
  static constexpr std::size_t per_chunk = 1024;
  static constexpr std::size_t chunk_bytes = sizeof(Block) * per_chunk;  // 176 KiB at a time

  std::mutex mutex_;
  Block* chunk_ = nullptr;
  std::size_t used_ = per_chunk;
  Block* free_ = nullptr;
  std::atomic<std::size_t> bytes_{0};
};

}  // namespace authgate::net

namespace boost::asio::detail {

template <>
inline epoll_reactor::descriptor_state* object_pool_access::create<epoll_reactor::descriptor_state, bool>(
    bool locking) {
  void* memory = authgate::net::DescriptorSlab::instance().allocate();
  return new (memory) epoll_reactor::descriptor_state(locking);
}

template <>
inline void object_pool_access::destroy<epoll_reactor::descriptor_state>(
    epoll_reactor::descriptor_state* state) {
  state->~descriptor_state();
  authgate::net::DescriptorSlab::instance().deallocate(state);
}

}  // namespace boost::asio::detail
