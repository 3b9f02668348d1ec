#include "common/env.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/temp_dir.h"

namespace vdb {
namespace {

TEST(EnvTest, WriteReadAppendTruncate) {
  test::TempDir dir;
  Env* env = Env::Default();
  std::string path = dir.Sub("a/b/file");
  ASSERT_TRUE(env->CreateDirs(DirName(path)).ok());
  {
    auto f = env->NewWritableFile(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("hello ").ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  {
    auto f = env->NewAppendableFile(path);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ((*f)->size(), 6u);
    ASSERT_TRUE((*f)->Append("world").ok());
  }
  auto content = ReadFileToString(env, path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "hello world");
  ASSERT_TRUE(env->TruncateFile(path, 5).ok());
  EXPECT_EQ(*env->GetFileSize(path), 5u);
  auto map = env->MapFile(path);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ((*map)->data(), "hello");
  auto children = env->GetChildren(dir.Sub("a/b"));
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"file"});
}

TEST(EnvTest, MissingFilesAreNotFound) {
  test::TempDir dir;
  Env* env = Env::Default();
  EXPECT_TRUE(env->NewRandomAccessFile(dir.Sub("nope")).status().IsNotFound());
  EXPECT_FALSE(env->FileExists(dir.Sub("nope")));
  EXPECT_TRUE(ReadFileToString(env, dir.Sub("nope")).status().IsNotFound());
}

TEST(EnvTest, WriteFileAtomicReplacesAndLeavesNoTemp) {
  test::TempDir dir;
  Env* env = Env::Default();
  std::string path = dir.Sub("meta.json");
  ASSERT_TRUE(WriteFileAtomic(env, path, "v1").ok());
  ASSERT_TRUE(WriteFileAtomic(env, path, "version two").ok());
  EXPECT_EQ(*ReadFileToString(env, path), "version two");
  EXPECT_EQ(*env->GetChildren(dir.path()), std::vector<std::string>{"meta.json"});
  EXPECT_FALSE(WriteFileAtomic(env, dir.Sub("missing/x"), "y").ok());
}

TEST(EnvTest, RemoveAll) {
  test::TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(env->CreateDirs(dir.Sub("x/y/z")).ok());
  ASSERT_TRUE(WriteFileAtomic(env, dir.Sub("x/y/f"), "1").ok());
  ASSERT_TRUE(RemoveAll(env, dir.Sub("x")).ok());
  EXPECT_FALSE(env->FileExists(dir.Sub("x")));
  EXPECT_TRUE(RemoveAll(env, dir.Sub("x")).ok());
}

TEST(EnvTest, LockFileIsExclusiveAcrossProcesses) {
  test::TempDir dir;
  Env* env = Env::Default();
  std::string lock_path = dir.Sub("LOCK");
  auto lock = env->LockFile(lock_path);
  ASSERT_TRUE(lock.ok());
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto other = Env::Default()->LockFile(lock_path);
    ::_exit(!other.ok() && other.status().code() == StatusCode::kUnavailable ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  lock->reset();
  EXPECT_TRUE(env->LockFile(lock_path).ok());
}

TEST(EnvTest, PathHelpers) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(DirName("/x/y/z"), "/x/y");
  EXPECT_EQ(DirName("z"), ".");
  EXPECT_EQ(BaseName("/x/y/z"), "z");
}

}  // namespace
}  // namespace vdb
