#pragma once
// Change detection for reload: the identity (device, inode), size and modification time of each
// watched file, polled about once a second. Simple, portable, and it sees editors that save by
// renaming a new file over the old one. Plain C++.

#include <cstdint>
#include <string>
#include <vector>

namespace authgate::gateway {

class FileWatch {
 public:
  /// Watches `files` from now on (their current state is the baseline).
  void reset(std::vector<std::string> files);
  /// True when some file differs from the last look (appeared, vanished, replaced, resized, touched).
  /// The new state becomes the baseline, so a broken file is reported once, not every second.
  bool changed();
  const std::vector<std::string>& files() const noexcept { return files_; }

 private:
  struct State {
    bool exists = false;
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const State&) const = default;
  };
  static State look(const std::string& file);

  std::vector<std::string> files_;
  std::vector<State> states_;
};

}  // namespace authgate::gateway
