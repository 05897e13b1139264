// The counting malloc (see counting_malloc.hpp): glibc lets a program define malloc and friends, and
// every library of the process then calls these; they count and hand over to glibc's own.
#include "counting_malloc.hpp"

#include <execinfo.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <mutex>

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* pointer);
}

namespace {

std::atomic<std::uint64_t> total{0};
thread_local bool counting = false;
thread_local bool inside = false;  // backtrace() may allocate: not traced again

// Where allocations come from, when tracing: fixed storage, as nothing here may allocate.
constexpr int depth = 14;
struct Stack {
  std::array<void*, depth> frames{};
  int size = 0;
  std::uint64_t count = 0;
  std::size_t bytes = 0;  // the size of the last one (a frame's size tells which coroutine it is)
};
std::array<Stack, 512> stacks;
std::size_t stack_count = 0;
std::mutex stacks_mutex;
const bool tracing = std::getenv("AUTHGATE_BUDGET_TRACE") != nullptr;

void trace(std::size_t bytes) noexcept {
  inside = true;
  Stack seen;
  seen.bytes = bytes;
  seen.size = ::backtrace(seen.frames.data(), depth);
  {
    std::lock_guard lock{stacks_mutex};
    auto* end = stacks.begin() + static_cast<long>(stack_count);
    auto* found = std::find_if(stacks.begin(), end, [&](const Stack& s) { return s.frames == seen.frames; });
    if (found != end) {
      ++found->count;
      found->bytes = bytes;
    } else if (stack_count < stacks.size()) {
      seen.count = 1;
      stacks[stack_count++] = seen;
    }
  }
  inside = false;
}

void count(std::size_t bytes) noexcept {
  if (!counting) return;
  total.fetch_add(1, std::memory_order_relaxed);
  if (tracing && !inside) trace(bytes);
}

}  // namespace

namespace authgate::testing {

void count_this_thread(bool on) noexcept { counting = on; }
std::uint64_t counted_allocations() noexcept { return total.load(); }

void print_traced_stacks() noexcept {
  if (!tracing) return;
  std::lock_guard lock{stacks_mutex};
  std::sort(stacks.begin(), stacks.begin() + static_cast<long>(stack_count),
            [](const Stack& a, const Stack& b) { return a.count > b.count; });
  for (std::size_t i = 0; i < stack_count; ++i) {
    char line[64];
    const int n = std::snprintf(line, sizeof line, "--- %llu allocations of %zu bytes\n",
                                static_cast<unsigned long long>(stacks[i].count), stacks[i].bytes);
    (void)::write(2, line, static_cast<std::size_t>(n));
    ::backtrace_symbols_fd(stacks[i].frames.data(), stacks[i].size, 2);
  }
  stack_count = 0;
}

}  // namespace authgate::testing

// NOLINTBEGIN(readability-inconsistent-declaration-parameter-name,bugprone-reserved-identifier)
extern "C" {

void* malloc(std::size_t size) {
  count(size);
  return __libc_malloc(size);
}

void* calloc(std::size_t count_of, std::size_t size) {
  count(count_of * size);
  return __libc_calloc(count_of, size);
}

void* realloc(void* pointer, std::size_t size) {
  count(size);
  return __libc_realloc(pointer, size);
}

void free(void* pointer) { __libc_free(pointer); }

void* memalign(std::size_t alignment, std::size_t size) {
  count(size);
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) {
  count(size);
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  count(size);
  void* pointer = __libc_memalign(alignment, size);
  if (pointer == nullptr) return 12;  // ENOMEM
  *out = pointer;
  return 0;
}

}  // extern "C"
// NOLINTEND(readability-inconsistent-declaration-parameter-name,bugprone-reserved-identifier)
