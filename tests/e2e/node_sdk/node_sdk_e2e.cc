// node_sdk_e2e: runs sdk_test.js (the Milvus Node SDK's HttpClient) against a real vdbd.
//
//   node_sdk_e2e --source-dir tests/e2e/node_sdk --work-dir BUILD/tests/e2e/node_sdk
//
// Installs the pinned SDK with `npm ci` into the work dir (again only when package-lock.json
// changed), starts vdbd on a scratch data dir with --port 0 through VdbdHarness, and runs
// `node sdk_test.js http://ADDRESS`. Exit: node's exit code; 77 (ctest SKIP_RETURN_CODE) only when
// node or npm is not installed; 1 when setting up fails (npm ci, vdbd start).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/env.h"
#include "util/vdbd_harness.h"

namespace {

constexpr int kSkip = 77;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

int Shell(const std::string& command) {
  std::fprintf(stderr, "+ %s\n", command.c_str());
  int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

bool OnPath(const char* tool) {
  return Shell(std::string("command -v ") + tool + " >/dev/null 2>&1") == 0;
}

// Copies the manifest and lock file into `work` and runs `npm ci` there unless the lock file
// installed last time is identical.
bool InstallSdk(vdb::Env* env, const std::string& source, const std::string& work) {
  auto lock = vdb::ReadFileToString(env, source + "/package-lock.json");
  auto manifest = vdb::ReadFileToString(env, source + "/package.json");
  if (!lock.ok() || !manifest.ok()) {
    std::fprintf(stderr, "node_sdk_e2e: cannot read %s/package*.json\n", source.c_str());
    return false;
  }
  std::string stamp = work + "/installed-package-lock.json";
  auto installed = vdb::ReadFileToString(env, stamp);
  if (installed.ok() && *installed == *lock && env->FileExists(work + "/node_modules")) return true;
  if (!env->CreateDirs(work).ok() ||
      !vdb::WriteFileAtomic(env, work + "/package.json", *manifest).ok() ||
      !vdb::WriteFileAtomic(env, work + "/package-lock.json", *lock).ok()) {
    std::fprintf(stderr, "node_sdk_e2e: cannot write into %s\n", work.c_str());
    return false;
  }
  if (Shell("cd " + Quote(work) + " && npm ci --no-audit --no-fund --loglevel=error") != 0) {
    std::fprintf(stderr, "node_sdk_e2e: npm ci failed in %s\n", work.c_str());
    return false;
  }
  return vdb::WriteFileAtomic(env, stamp, *lock).ok();
}

}  // namespace

int main(int argc, char** argv) {
  std::string source, work;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--source-dir") source = argv[i + 1];
    if (flag == "--work-dir") work = argv[i + 1];
  }
  if (source.empty() || work.empty()) {
    std::fprintf(stderr, "usage: node_sdk_e2e --source-dir DIR --work-dir DIR\n");
    return 2;
  }
  if (!OnPath("node") || !OnPath("npm")) {
    std::fprintf(stderr, "node_sdk_e2e: node or npm not installed; skipped\n");
    return kSkip;
  }
  vdb::Env* env = vdb::Env::Default();
  if (!InstallSdk(env, source, work)) return 1;

  char tmpl[] = "/tmp/vdb-node-sdk-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string scratch = tmpl;
  int rc = 1;
  {
    vdb::test::VdbdOptions options;
    options.vdbd_path = VDBD_PATH;
    options.data_dir = scratch + "/data";
    vdb::test::VdbdHarness vdbd(options);
    vdb::Status started = vdbd.Start();
    if (!started.ok()) {
      std::fprintf(stderr, "node_sdk_e2e: %s\n", started.ToString().c_str());
      return 1;  // the scratch dir is kept for inspection
    }
    rc = Shell("NODE_PATH=" + Quote(work + "/node_modules") + " node " +
               Quote(source + "/sdk_test.js") + " " + Quote("http://" + vdbd.proxy_address()));
    if (rc != 0) std::fprintf(stderr, "vdbd output:\n%s\n", vdbd.OutputTail().c_str());
    vdb::Status stopped = vdbd.Stop();
    if (!stopped.ok()) {
      std::fprintf(stderr, "node_sdk_e2e: %s\n", stopped.ToString().c_str());
      if (rc == 0) rc = 1;
    }
  }
  if (rc == 0) {
    (void)vdb::RemoveAll(env, scratch);
  } else {
    std::fprintf(stderr, "node_sdk_e2e: kept %s\n", scratch.c_str());
  }
  return rc < 0 ? 1 : rc;
}
