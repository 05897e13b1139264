#pragma once
// Memory of one fixed size kept per thread for reuse: what a request takes and gives back every time
// (its header arena's block, its state) costs no malloc once the thread has served a request. A
// bounded number is kept; beyond it (a burst) memory goes back to malloc, and so do spares no request took
// for a whole trim interval: a burst's last blocks, freed at scattered places, would otherwise keep
// malloc_trim from returning the pages around them.

#include <cstddef>
#include <new>
#include <utility>

namespace authgate::gateway {

/// Under AddressSanitizer nothing is kept, so a use after the give() is reported as a use after free.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool keep_spare_memory = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool keep_spare_memory = false;
#else
inline constexpr bool keep_spare_memory = true;
#endif
#else
inline constexpr bool keep_spare_memory = true;
#endif

namespace detail {
/// One kind of spare block on one thread, linked into that thread's list so trim_spare_memory() finds it.
struct SpareList {
  SpareList* next = nullptr;
  virtual void trim() noexcept = 0;

 protected:
  SpareList();
  ~SpareList();
};
}  // namespace detail

/// On the calling thread: frees the spare blocks of every kind that stayed unused since the previous call
/// (the fewest spares seen in between). Call about once a second from each thread that serves requests.
void trim_spare_memory() noexcept;

/// Blocks of `Bytes`, aligned for any type new aligns for; up to `Kept` spare ones per thread.
template <std::size_t Bytes, std::size_t Kept = 16>
class SpareMemory {
  static_assert(Bytes >= sizeof(void*));

 public:
  static void* take() {
    auto& spares = local();
    if (spares.head == nullptr) return ::operator new(Bytes);
    void* block = spares.head;
    spares.head = *static_cast<void**>(block);
    --spares.count;
    if (spares.count < spares.low_water) spares.low_water = spares.count;
    return block;
  }

  static void give(void* block) noexcept {
    auto& spares = local();
    if (!keep_spare_memory || spares.count >= Kept) {
      ::operator delete(block);
      return;
    }
    *static_cast<void**>(block) = spares.head;
    spares.head = block;
    ++spares.count;
  }

  /// Spare blocks this thread holds now.
  static std::size_t spare_count() noexcept { return local().count; }

 private:
  struct Spares final : detail::SpareList {
    void* head = nullptr;
    std::size_t count = 0;
    std::size_t low_water = 0;  // fewest spares since the last trim(): that many sat unused all along
    Spares() = default;
    Spares(const Spares&) = delete;
    Spares& operator=(const Spares&) = delete;
    ~Spares() { free(count); }
    void trim() noexcept override {
      free(low_water);
      low_water = count;
    }
    void free(std::size_t n) noexcept {
      for (; n > 0; --n, --count) ::operator delete(std::exchange(head, *static_cast<void**>(head)));
    }
  };

  static Spares& local() noexcept {
    thread_local Spares spares;
    return spares;
  }
};

/// A T whose storage is SpareMemory: a request's state held outside its coroutine frame, which keeps the
/// frame small enough for Asio to recycle (1,020 bytes) and the state itself free of malloc.
template <class T>
class Recycled {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  using Memory = SpareMemory<sizeof(T)>;

 public:
  template <class... Args>
  explicit Recycled(Args&&... args) : object_(construct(std::forward<Args>(args)...)) {}
  Recycled(const Recycled&) = delete;
  Recycled& operator=(const Recycled&) = delete;
  ~Recycled() {
    object_->~T();
    Memory::give(object_);
  }

  T& operator*() const noexcept { return *object_; }
  T* operator->() const noexcept { return object_; }

 private:
  T* object_;

  template <class... Args>
  static T* construct(Args&&... args) {
    void* memory = Memory::take();
    try {
      // Without arguments, default-initialized: `T()` would zero the whole object before its constructor
      // runs when T's is not user-provided (the session's Exchange: ≈ 1.9 KB, ≈ 250 instructions a
      // request). T's members must carry their own initializers.
      if constexpr (sizeof...(Args) == 0) {
        return new (memory) T;
      } else {
        return new (memory) T(std::forward<Args>(args)...);
      }
    } catch (...) {
      Memory::give(memory);
      throw;
    }
  }
};

}  // namespace authgate::gateway
