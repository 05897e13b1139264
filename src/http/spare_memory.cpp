// The per-thread list of spare-block kinds, for trimming (see spare_memory.hpp).
#include "http/spare_memory.hpp"

namespace authgate::gateway {

namespace {
thread_local detail::SpareList* spare_lists = nullptr;  // every kind this thread has used
}  // namespace

detail::SpareList::SpareList() : next(spare_lists) { spare_lists = this; }

// Thread-local objects are destroyed in the reverse order of their construction: the head goes first.
detail::SpareList::~SpareList() {
  if (spare_lists == this) spare_lists = next;
}

void trim_spare_memory() noexcept {
  for (detail::SpareList* list = spare_lists; list != nullptr; list = list->next) list->trim();
}

}  // namespace authgate::gateway
