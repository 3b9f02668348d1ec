// Fuzz target for WAL recovery and reading: the input becomes the segment files of a log
// directory (split wherever the magic "VDBWAL" starts again, each file named by the LSN its
// header claims) which is then opened read-only and read to the end; every 32nd input is also
// opened for writing (recovery truncates), appended to and read again. Any outcome but a crash or
// a sanitizer report is fine: errors must come back as a clean Status.
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "common/env.h"
#include "common/logging.h"
#include "wal/format.h"
#include "wal/wal.h"

namespace {

using vdb::Env;
using vdb::Lsn;

const std::string& FuzzDir() {
  static const std::string* dir = []() -> const std::string* {
    vdb::SetLogLevel(vdb::LogLevel::kError);  // recovery warnings are expected here
    // Tens of thousands of tiny files: tmpfs when there is one, as the disk adds nothing here.
    const char* base = std::getenv("TMPDIR");
    std::string root = base && *base ? base : "/tmp";
    if ((base == nullptr || *base == '\0') && Env::Default()->IsDirectory("/dev/shm")) {
      root = "/dev/shm";
    }
    std::string tmpl = root + "/vdb-walfuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string made = tmpl;
    std::atexit([] { (void)vdb::RemoveAll(Env::Default(), made); });
    return &made;
  }();
  return *dir;
}

void ReadEverything(const vdb::wal::Wal& wal) {
  auto reader = wal.NewReader(wal.first_lsn());
  if (!reader.ok()) return;
  vdb::wal::Record record;
  while (true) {
    auto got = (*reader)->Next(&record);
    if (!got.ok() || !*got) return;
  }
}

void WriteFiles(Env* env, const std::string& dir, std::string_view input) {
  (void)env->CreateDirs(dir);
  if (auto old = env->GetChildren(dir); old.ok()) {
    for (const auto& name : *old) (void)env->RemoveFile(vdb::JoinPath(dir, name));
  }
  std::string_view magic(vdb::wal::kMagic, sizeof(vdb::wal::kMagic));
  size_t start = 0;
  while (start < input.size() || start == 0) {
    size_t next = input.find(magic, start + 1);
    if (next == std::string_view::npos) next = input.size();
    std::string_view bytes = input.substr(start, next - start);
    uint64_t lsn = bytes.size() >= 16 ? vdb::DecodeFixed64(bytes.data() + 8) : 1;
    auto file = env->NewWritableFile(vdb::JoinPath(dir, vdb::wal::LogFileName(Lsn(lsn))));
    if (file.ok()) (void)(*file)->Append(bytes);
    start = next;
    if (next >= input.size()) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Env* env = Env::Default();
  std::string dir = vdb::JoinPath(FuzzDir(), "wal");
  WriteFiles(env, dir, std::string_view(reinterpret_cast<const char*>(data), size));
  {
    auto wal = vdb::wal::Wal::OpenReadOnly(env, dir);
    if (wal.ok()) ReadEverything(**wal);
  }
  if (size % 32 == 0) {
    vdb::wal::WalOptions options;
    options.max_file_bytes = 256;
    options.repair = size % 64 == 0;
    auto wal = vdb::wal::Wal::Open(env, dir, options);
    if (wal.ok()) {
      ReadEverything(**wal);
      (void)(*wal)->Append(1, 2, "fuzz");
      ReadEverything(**wal);
    }
  }
  return 0;
}
