// io/atomic_file.h — replace a file so that readers (and a crash) see the old content or the new,
// never a partial one: write a temp file in the same directory, fsync, rename over the
// destination, fsync the directory.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace alloclab::harness {

// Throws HarnessError (exit 2) when the file cannot be written; the destination is then
// untouched and the temp file removed. `before_rename` is a test hook: if it throws, the write
// is abandoned the same way.
void write_file_atomically(const std::string& path, std::string_view content,
                           const std::function<void()>& before_rename = {});

// Creates the parent directory of `path` if needed (results/ on a fresh checkout).
void ensure_parent_dir(const std::string& path);

}  // namespace alloclab::harness
