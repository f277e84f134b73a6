// io/atomic_file.cc — temp + fsync + rename.
#include "io/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"

namespace alloclab::harness {
namespace fs = std::filesystem;

void ensure_parent_dir(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw HarnessError(fmt::format("cannot create directory {}: {}", parent.string(), ec.message()));
}

void write_file_atomically(const std::string& path, std::string_view content,
                           const std::function<void()>& before_rename) {
  fs::path dest(path);
  fs::path dir = dest.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmpl = (dir / (dest.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    throw HarnessError(
        fmt::format("cannot write {}: {} (does the directory exist and is it writable?)", path, std::strerror(errno)));
  auto abandon = [&](const std::string& why) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    throw HarnessError(fmt::format("cannot write {}: {}; the previous file is unchanged", path, why));
  };
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon(std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) abandon(std::strerror(errno));
  if (before_rename) {
    try {
      before_rename();
    } catch (const std::exception& e) {
      abandon(e.what());
    }
  }
  if (::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    throw HarnessError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    throw HarnessError(fmt::format("cannot replace {}: {}", path, std::strerror(e)));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace alloclab::harness
