#include "meta/meta_store.h"

#include <gtest/gtest.h>

namespace vdb::meta {
namespace {

TEST(PrefixEndTest, IncrementsLastByteAndStripsTrailingFf) {
  EXPECT_EQ(PrefixEnd("a"), "b");
  EXPECT_EQ(PrefixEnd("a/"), "a0");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("a\xfe\xff\xff", 4)), std::string("a\xff", 2));
  EXPECT_EQ(PrefixEnd(std::string("\x00", 1)), std::string("\x01", 1));
  EXPECT_EQ(PrefixEnd(""), std::nullopt);
  EXPECT_EQ(PrefixEnd(std::string("\xff\xff", 2)), std::nullopt);
}

TEST(PrintableKeyTest, EscapesNonPrintableBytes) {
  EXPECT_EQ(PrintableKey("db/1"), "\"db/1\"");
  EXPECT_EQ(PrintableKey(std::string("a\x00\xff\"", 4)), "\"a\\x00\\xff\\x22\"");
  EXPECT_EQ(PrintableKey(std::string(300, 'k')).size(), 200u + 5u);
}

TEST(ValidateTxnTest, AcceptsDistinctWrites) {
  Txn txn;
  txn.If(Compare::Exists("a"))
      .Then(TxnOp::Put("a", "1"))
      .Then(TxnOp::Put("b", "2"))
      .Then(TxnOp::Get("a"))
      .Then(TxnOp::DeletePrefix("c/"))
      .Then(TxnOp::Delete("d"))
      .Then(TxnOp::Delete("d"))  // two deletes of one key are fine, as in etcd
      .Else(TxnOp::Put("a", "3"));
  EXPECT_TRUE(ValidateTxn(txn).ok());
  EXPECT_TRUE(ValidateTxn(Txn().Then(TxnOp::Scan(""))).ok());
  EXPECT_TRUE(ValidateTxn(Txn().Then(TxnOp::DeletePrefix(""))).ok());
}

TEST(ValidateTxnTest, RejectsEmptyKeysAndDuplicateWrites) {
  EXPECT_EQ(ValidateTxn(Txn().Then(TxnOp::Put("", "v"))).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTxn(Txn().Else(TxnOp::Get(""))).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTxn(Txn().If(Compare::Missing(""))).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTxn(Txn().Then(TxnOp::Scan("a", -1))).code(), StatusCode::kInvalidArgument);
  Status twice = ValidateTxn(Txn().Then(TxnOp::Put("k", "1")).Then(TxnOp::Put("k", "2")));
  EXPECT_EQ(twice.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(twice.message().find("\"k\""), std::string::npos) << twice.ToString();
  EXPECT_EQ(ValidateTxn(Txn().Else(TxnOp::Put("k", "1")).Else(TxnOp::Delete("k"))).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTxn(Txn().Then(TxnOp::DeletePrefix("c/")).Then(TxnOp::Put("c/x", "1"))).code(),
            StatusCode::kInvalidArgument);
  // A put just outside the deleted prefix is fine.
  EXPECT_TRUE(ValidateTxn(Txn().Then(TxnOp::DeletePrefix("c/")).Then(TxnOp::Put("c", "1"))).ok());
}

TEST(EvaluateCompareTest, MissingKeyHasZeroRevisionsAndNoValue) {
  std::optional<KeyValue> missing;
  EXPECT_TRUE(EvaluateCompare(Compare::Missing("k"), missing));
  EXPECT_FALSE(EvaluateCompare(Compare::Exists("k"), missing));
  EXPECT_TRUE(EvaluateCompare(Compare::ModRevision("k", CompareOp::kEqual, 0), missing));
  EXPECT_TRUE(EvaluateCompare(Compare::CreateRevision("k", CompareOp::kLess, 1), missing));
  EXPECT_FALSE(EvaluateCompare(Compare::Value("k", CompareOp::kEqual, ""), missing));
  EXPECT_FALSE(EvaluateCompare(Compare::Value("k", CompareOp::kNotEqual, "x"), missing));
}

TEST(EvaluateCompareTest, AllTargetsAndOps) {
  std::optional<KeyValue> kv = KeyValue{"k", std::string("b\xff", 2), 3, 7, 2};
  EXPECT_TRUE(EvaluateCompare(Compare::Exists("k"), kv));
  EXPECT_TRUE(EvaluateCompare(Compare::ModRevision("k", CompareOp::kEqual, 7), kv));
  EXPECT_TRUE(EvaluateCompare(Compare::ModRevision("k", CompareOp::kNotEqual, 6), kv));
  EXPECT_TRUE(EvaluateCompare(Compare::ModRevision("k", CompareOp::kGreater, 6), kv));
  EXPECT_FALSE(EvaluateCompare(Compare::ModRevision("k", CompareOp::kLess, 7), kv));
  EXPECT_TRUE(EvaluateCompare(Compare::CreateRevision("k", CompareOp::kEqual, 3), kv));
  EXPECT_TRUE(EvaluateCompare(Compare::Version("k", CompareOp::kLess, 3), kv));
  EXPECT_FALSE(EvaluateCompare(Compare::Version("k", CompareOp::kGreater, 2), kv));
  // Values compare bytewise as unsigned bytes, so 0xff sorts above '~'.
  EXPECT_TRUE(EvaluateCompare(Compare::Value("k", CompareOp::kLess, "c"), kv));
  EXPECT_TRUE(EvaluateCompare(Compare::Value("k", CompareOp::kGreater, "b~"), kv));
  EXPECT_TRUE(EvaluateCompare(Compare::Value("k", CompareOp::kEqual, std::string("b\xff", 2)), kv));
  EXPECT_FALSE(
      EvaluateCompare(Compare::Value("k", CompareOp::kNotEqual, std::string("b\xff", 2)), kv));
}

}  // namespace
}  // namespace vdb::meta
