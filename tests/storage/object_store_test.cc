#include "storage/object_store.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/env.h"
#include "util/temp_dir.h"

namespace vdb::storage {
namespace {

std::vector<std::string> Keys(const std::vector<ObjectInfo>& infos) {
  std::vector<std::string> out;
  for (const auto& i : infos) out.push_back(i.key);
  return out;
}

// Each behavioural test runs against both implementations.
class ObjectStoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      auto s = OpenLocalObjectStore(Env::Default(), dir_.Sub("objects"));
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(*s);
    } else {
      store_ = NewMemoryObjectStore();
    }
  }
  test::TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreTest, PutGetRoundTripAndOverwrite) {
  ASSERT_TRUE(store_->Put("c/p/s/1.col", "hello world").ok());
  EXPECT_EQ(*store_->Get("c/p/s/1.col"), "hello world");
  ASSERT_TRUE(store_->Put("c/p/s/1.col", "v2").ok());
  EXPECT_EQ(*store_->Get("c/p/s/1.col"), "v2");
  EXPECT_EQ(store_->Stat("c/p/s/1.col")->size, 2u);
  ASSERT_TRUE(store_->Put("empty", "").ok());
  EXPECT_EQ(*store_->Get("empty"), "");
  std::string binary("\0\1\2\xff", 4);
  ASSERT_TRUE(store_->Put("bin", binary).ok());
  EXPECT_EQ(*store_->Get("bin"), binary);
}

TEST_P(ObjectStoreTest, RangedReadsAtEdges) {
  ASSERT_TRUE(store_->Put("k", "0123456789").ok());
  EXPECT_EQ(*store_->GetRange("k", 0, 3), "012");
  EXPECT_EQ(*store_->GetRange("k", 7, 3), "789");
  EXPECT_EQ(*store_->GetRange("k", 7, 100), "789");  // short at the end
  EXPECT_EQ(*store_->GetRange("k", 10, 5), "");      // exactly at the end
  EXPECT_EQ(*store_->GetRange("k", 0, UINT64_MAX), "0123456789");
  auto past = store_->GetRange("k", 11, 1);
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(past.status().message().find("k"), std::string::npos);
}

TEST_P(ObjectStoreTest, MissingKeyIsNotFound) {
  EXPECT_TRUE(store_->Get("nope").status().IsNotFound());
  EXPECT_TRUE(store_->GetRange("nope", 0, 1).status().IsNotFound());
  EXPECT_TRUE(store_->Stat("a/nope").status().IsNotFound());
  EXPECT_TRUE(store_->Delete("nope").ok());  // like S3
  ASSERT_TRUE(store_->Put("dir/file", "x").ok());
  // A "directory" is not an object.
  EXPECT_TRUE(store_->Get("dir").status().IsNotFound());
  EXPECT_TRUE(store_->Stat("dir").status().IsNotFound());
  EXPECT_NE(store_->Get("nope").status().message().find("nope"), std::string::npos);
}

TEST_P(ObjectStoreTest, ListByPrefixIsRecursiveAndSorted) {
  for (const char* k :
       {"col/1/seg10/b", "col/1/seg10/a", "col/1/seg2/x", "col/10/y", "col2/z", "top"}) {
    ASSERT_TRUE(store_->Put(k, k).ok()) << k;
  }
  EXPECT_EQ(Keys(*store_->List("")),
            (std::vector<std::string>{"col/1/seg10/a", "col/1/seg10/b", "col/1/seg2/x", "col/10/y",
                                      "col2/z", "top"}));
  EXPECT_EQ(Keys(*store_->List("col/1/")),
            (std::vector<std::string>{"col/1/seg10/a", "col/1/seg10/b", "col/1/seg2/x"}));
  // A prefix may end mid-name.
  EXPECT_EQ(
      Keys(*store_->List("col/1")),
      (std::vector<std::string>{"col/1/seg10/a", "col/1/seg10/b", "col/1/seg2/x", "col/10/y"}));
  EXPECT_EQ(Keys(*store_->List("col/1/seg1")),
            (std::vector<std::string>{"col/1/seg10/a", "col/1/seg10/b"}));
  EXPECT_EQ(Keys(*store_->List("co")).size(), 5u);
  EXPECT_TRUE(store_->List("nothing/here/")->empty());
  // Prefixes no valid key can start with match nothing (and never escape the root).
  for (const char* p : {"/top", "/", "col//", "../", "col/../col"}) {
    auto none = store_->List(p);
    ASSERT_TRUE(none.ok()) << p;
    EXPECT_TRUE(none->empty()) << p;
  }
  auto infos = *store_->List("top");
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].size, 3u);
}

TEST_P(ObjectStoreTest, InvalidKeysAreRejectedNamingTheKey) {
  const std::vector<std::string> bad = {"",
                                        "..",
                                        "a/../b",
                                        "/abs",
                                        "a//b",
                                        "a/",
                                        "./a",
                                        "a/.",
                                        std::string("a\0b", 3),
                                        "a\nb",
                                        "a\x7f",
                                        ".tmp.x",
                                        "d/.tmp.y",
                                        std::string(1025, 'k')};
  for (const std::string& key : bad) {
    Status put = store_->Put(key, "x");
    EXPECT_EQ(put.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_NE(put.message().find("invalid object key"), std::string::npos) << put.message();
    EXPECT_EQ(store_->Get(key).status().code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(store_->Delete(key).code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(ValidateKey(key).code(), StatusCode::kInvalidArgument) << key;
  }
  EXPECT_NE(ValidateKey("a//b").message().find("\"a//b\""), std::string::npos);
  EXPECT_NE(ValidateKey("a\nb").message().find("a\\x0ab"), std::string::npos);
  EXPECT_TRUE(ValidateKey(std::string(1024, 'k')).ok());
  EXPECT_TRUE(ValidateKey("a/b.c/..d/x.tmp").ok());
  EXPECT_TRUE(ValidateKey("unicode/\xc3\xa9t\xc3\xa9").ok());
}

TEST_P(ObjectStoreTest, DeleteRemovesObject) {
  ASSERT_TRUE(store_->Put("a/b/c", "1").ok());
  ASSERT_TRUE(store_->Put("a/d", "2").ok());
  ASSERT_TRUE(store_->Delete("a/b/c").ok());
  EXPECT_TRUE(store_->Get("a/b/c").status().IsNotFound());
  EXPECT_EQ(Keys(*store_->List("")), std::vector<std::string>{"a/d"});
  // The key can be reused, also as a directory after the parent vanished.
  ASSERT_TRUE(store_->Put("a/b/c", "3").ok());
  EXPECT_EQ(*store_->Get("a/b/c"), "3");
}

TEST_P(ObjectStoreTest, MapIsLocalOnly) {
  ASSERT_TRUE(store_->Put("m", "mapped bytes").ok());
  auto m = store_->Map("m");
  if (GetParam()) {
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ((*m)->data(), "mapped bytes");
    EXPECT_TRUE(store_->Map("missing").status().IsNotFound());
  } else {
    EXPECT_EQ(m.status().code(), StatusCode::kNotSupported);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectStoreTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Local" : "Memory"; });

TEST(LocalObjectStoreTest, NoTempFilesAndEmptyParentsRemoved) {
  test::TempDir dir;
  Env* env = Env::Default();
  std::string root = dir.Sub("root");
  auto store = *OpenLocalObjectStore(env, root);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store->Put("x/y/obj", std::string(i, 'a')).ok());
  EXPECT_EQ(*env->GetChildren(root + "/x/y"), std::vector<std::string>{"obj"});
  // A stray temp file (a writer that crashed mid-Put) is never listed.
  ASSERT_TRUE(WriteFileAtomic(env, root + "/x/y/.tmp.obj.1.2", "junk").ok());
  EXPECT_EQ(Keys(*store->List("")), std::vector<std::string>{"x/y/obj"});
  EXPECT_EQ(Keys(*store->List("x/y/.tmp")), std::vector<std::string>{});
  ASSERT_TRUE(env->RemoveFile(root + "/x/y/.tmp.obj.1.2").ok());
  ASSERT_TRUE(store->Delete("x/y/obj").ok());
  EXPECT_FALSE(env->FileExists(root + "/x"));
  EXPECT_TRUE(env->IsDirectory(root));
  // Objects live at root/<key>, so another store on the same root sees them.
  ASSERT_TRUE(store->Put("p/q", "shared").ok());
  EXPECT_EQ(*ReadFileToString(env, root + "/p/q"), "shared");
  auto again = *OpenLocalObjectStore(env, root);
  EXPECT_EQ(*again->Get("p/q"), "shared");
}

}  // namespace
}  // namespace vdb::storage
