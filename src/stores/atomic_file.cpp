// write_file_atomically(): temp file + fsync + rename + directory fsync.
#include "authgate/stores/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace authgate::stores {
namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::error_code write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_error();
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

/// Gives the temporary file the mode and owner of the file it will replace (0600 for a new file).
std::error_code copy_metadata(int fd, const std::string& path, mode_t new_file_mode) {
  struct stat old {};
  if (::stat(path.c_str(), &old) != 0) {
    if (errno != ENOENT) return last_error();
    return ::fchmod(fd, new_file_mode) == 0 ? std::error_code{} : last_error();
  }
  if (::fchmod(fd, old.st_mode & 07777) != 0) return last_error();
  (void)::fchown(fd, old.st_uid, old.st_gid);  // only root may give files away; keeping ours is fine
  return {};
}

std::error_code fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  const std::error_code ec = ::fsync(fd) == 0 ? std::error_code{} : last_error();
  ::close(fd);
  return ec;
}

}  // namespace

std::error_code write_file_atomically(const std::string& path, std::string_view content,
                                      mode_t new_file_mode) {
  const std::string dir = directory_of(path);
  std::string name = path + ".XXXXXX";
  std::vector<char> temp(name.begin(), name.end());
  temp.push_back('\0');
  // mkstemp creates the file 0600 and O_EXCL, so no other user can read or pre-create it.
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return last_error();
  std::error_code ec = write_all(fd, content);
  if (!ec) ec = copy_metadata(fd, path, new_file_mode);
  if (!ec && ::fsync(fd) != 0) ec = last_error();
  if (::close(fd) != 0 && !ec) ec = last_error();
  if (!ec && ::rename(temp.data(), path.c_str()) != 0) ec = last_error();
  if (ec) {
    ::unlink(temp.data());
    return ec;
  }
  return fsync_directory(dir);
}

}  // namespace authgate::stores
