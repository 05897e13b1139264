#include "gateway/ops/file_watch.hpp"

#include <sys/stat.h>

namespace authgate::gateway {

FileWatch::State FileWatch::look(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return State{};
  return State{true, static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
               static_cast<std::uint64_t>(st.st_size),
               static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

void FileWatch::reset(std::vector<std::string> files) {
  files_ = std::move(files);
  states_.clear();
  for (const auto& file : files_) states_.push_back(look(file));
}

bool FileWatch::changed() {
  bool any = false;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    auto now = look(files_[i]);
    if (now != states_[i]) {
      states_[i] = now;
      any = true;
    }
  }
  return any;
}

}  // namespace authgate::gateway
