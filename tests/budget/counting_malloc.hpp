#pragma once
// A malloc that counts, for the allocation budget: every malloc/calloc/realloc (and the aligned forms)
// of the process goes through it, and the calls made on a thread that asked to be counted are added up.
// C++'s operator new, Asio's and Beast's allocations, OpenSSL's: all of them end here.

#include <cstdint>

namespace authgate::testing {

/// Counts this thread's allocations from now on (until count_this_thread(false)).
void count_this_thread(bool on) noexcept;

/// Allocations counted so far, on every counted thread.
std::uint64_t counted_allocations() noexcept;

/// With AUTHGATE_BUDGET_TRACE=1 in the environment, the call stacks of the counted allocations are kept
/// (distinct stacks, with counts) and this writes them to standard error, busiest first, for
/// `addr2line`/`c++filt`; then forgets them. Without it, does nothing.
void print_traced_stacks() noexcept;

}  // namespace authgate::testing
