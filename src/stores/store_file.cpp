// Reading store files within a size limit, and rendering LoadErrors.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/load_error.hpp"

namespace authgate::stores {
namespace {

/// Closes a file descriptor when the read is done, whatever the path out.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

LoadError file_error(const std::string& path, std::string reason) {
  return LoadError{path, 0, 0, std::move(reason)};
}

}  // namespace

std::string LoadError::to_string() const {
  if (line <= 0) return file + ": " + reason;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + reason;
}

boost::system::result<std::string, LoadError> read_store_file(const std::string& path,
                                                              std::size_t max_bytes) {
  const FdCloser file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return file_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::string content;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return file_error(path, std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) break;
    // Read at most one byte past the limit: enough to know the file is too large, never more.
    if (content.size() + static_cast<std::size_t>(n) > max_bytes) {
      return file_error(path, "file larger than " + std::to_string(max_bytes) + " bytes");
    }
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return {boost::system::in_place_value, std::move(content)};
}

}  // namespace authgate::stores
