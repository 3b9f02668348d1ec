// TempDir: a unique directory on real disk for one test; removed when the test passed, kept (and
// its path printed) when it failed so the evidence can be inspected.
#pragma once

#include <string>

namespace vdb::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The source tree's root (from VDB_SOURCE_DIR, set by ctest), for reading test data such as
// ../shared/fixtures.
std::string SourceDir();

}  // namespace vdb::test
