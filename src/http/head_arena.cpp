#include "http/head_arena.hpp"

#include <algorithm>
#include <cstdint>
#include <new>
#include <utility>

#include "http/spare_memory.hpp"

namespace authgate::gateway {

struct HeadArena::Block {
  Block* next;
  std::size_t bytes;  // usable bytes after this header

  char* begin() noexcept { return reinterpret_cast<char*>(this + 1); }  // NOLINT: the bytes follow the header
  char* end() noexcept { return begin() + bytes; }
};

// A block of the standard size comes from the thread's spares: a request's fields cost no malloc.
using SpareBlocks = SpareMemory<sizeof(HeadArena::Block) + HeadArena::block_bytes>;

void HeadArena::take_block(std::size_t at_least) {
  const std::size_t bytes = std::max(block_bytes, at_least);
  void* memory = bytes == block_bytes ? SpareBlocks::take() : ::operator new(sizeof(Block) + bytes);
  auto* block = new (memory) Block{blocks_, bytes};
  blocks_ = block;
  cursor_ = block->begin();
  end_ = block->end();
  last_ = nullptr;
}

void* HeadArena::allocate(std::size_t bytes, std::size_t align) {
  auto aligned = [&] {
    const auto at = reinterpret_cast<std::uintptr_t>(cursor_);
    return cursor_ + (((at + align - 1) & ~(std::uintptr_t{align} - 1)) - at);  // cursor_ moved up to `align`
  };
  char* start = cursor_ == nullptr ? nullptr : aligned();
  // Aligning may pass the block's end: compared before the subtraction, which would wrap.
  if (start == nullptr || start > end_ || bytes > static_cast<std::size_t>(end_ - start)) {
    take_block(bytes + align);
    start = aligned();
  }
  cursor_ = start + bytes;
  last_ = start;
  return start;
}

void HeadArena::deallocate(void* pointer, std::size_t bytes) noexcept {
  // The newest allocation only: a value replaced right after it was set, a field parsed then erased.
  if (pointer == last_ && static_cast<char*>(pointer) + bytes == cursor_) {
    cursor_ = last_;
    last_ = nullptr;
  }
}

void HeadArena::release() noexcept {
  while (blocks_ != nullptr) {
    Block* block = std::exchange(blocks_, blocks_->next);
    const bool standard = block->bytes == block_bytes;
    block->~Block();
    if (standard) {
      SpareBlocks::give(block);
    } else {
      ::operator delete(block);
    }
  }
  cursor_ = end_ = last_ = nullptr;
}

std::size_t HeadArena::held_bytes() const noexcept {
  std::size_t total = 0;
  for (Block* block = blocks_; block != nullptr; block = block->next) total += block->bytes;
  return total;
}

}  // namespace authgate::gateway
