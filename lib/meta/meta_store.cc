#include "meta/meta_store.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

namespace vdb::meta {

Compare Compare::ModRevision(std::string key, CompareOp op, Revision revision) {
  return Compare{std::move(key), CompareTarget::kModRevision, op, revision, {}};
}
Compare Compare::CreateRevision(std::string key, CompareOp op, Revision revision) {
  return Compare{std::move(key), CompareTarget::kCreateRevision, op, revision, {}};
}
Compare Compare::Version(std::string key, CompareOp op, int64_t version) {
  return Compare{std::move(key), CompareTarget::kVersion, op, version, {}};
}
Compare Compare::Value(std::string key, CompareOp op, std::string value) {
  return Compare{std::move(key), CompareTarget::kValue, op, 0, std::move(value)};
}
Compare Compare::Exists(std::string key) { return Version(std::move(key), CompareOp::kGreater, 0); }
Compare Compare::Missing(std::string key) { return Version(std::move(key), CompareOp::kEqual, 0); }

TxnOp TxnOp::Put(std::string key, std::string value) {
  return TxnOp{TxnOpType::kPut, std::move(key), std::move(value), 0};
}
TxnOp TxnOp::Get(std::string key) { return TxnOp{TxnOpType::kGet, std::move(key), {}, 0}; }
TxnOp TxnOp::Delete(std::string key) { return TxnOp{TxnOpType::kDelete, std::move(key), {}, 0}; }
TxnOp TxnOp::DeletePrefix(std::string prefix) {
  return TxnOp{TxnOpType::kDeletePrefix, std::move(prefix), {}, 0};
}
TxnOp TxnOp::Scan(std::string prefix, int64_t limit) {
  return TxnOp{TxnOpType::kScan, std::move(prefix), {}, limit};
}

Result<Revision> MetaStore::Put(const std::string& key, const std::string& value) {
  VDB_ASSIGN_OR_RETURN(TxnResult r, Commit(Txn().Then(TxnOp::Put(key, value))));
  return r.revision;
}

Result<bool> MetaStore::Delete(const std::string& key) {
  VDB_ASSIGN_OR_RETURN(TxnResult r, Commit(Txn().Then(TxnOp::Delete(key))));
  return r.responses.at(0).deleted > 0;
}

Result<int64_t> MetaStore::DeletePrefix(const std::string& prefix) {
  VDB_ASSIGN_OR_RETURN(TxnResult r, Commit(Txn().Then(TxnOp::DeletePrefix(prefix))));
  return r.responses.at(0).deleted;
}

Result<Revision> MetaStore::CompareAndSwap(const std::string& key, Revision expected_mod_revision,
                                           const std::string& value) {
  Txn txn;
  txn.If(Compare::ModRevision(key, CompareOp::kEqual, expected_mod_revision))
      .Then(TxnOp::Put(key, value));
  VDB_ASSIGN_OR_RETURN(TxnResult r, Commit(txn));
  if (!r.succeeded) {
    return Status::Aborted("meta key " + PrintableKey(key) + ": changed since mod_revision " +
                           std::to_string(expected_mod_revision));
  }
  return r.revision;
}

Result<Revision> MetaStore::PutIfAbsent(const std::string& key, const std::string& value) {
  Txn txn;
  txn.If(Compare::Missing(key)).Then(TxnOp::Put(key, value));
  VDB_ASSIGN_OR_RETURN(TxnResult r, Commit(txn));
  if (!r.succeeded) return Status::AlreadyExists("meta key " + PrintableKey(key) + " exists");
  return r.revision;
}

Result<Revision> MetaStore::CompareAndDelete(const std::string& key,
                                             Revision expected_mod_revision) {
  Txn txn;
  txn.If(Compare::ModRevision(key, CompareOp::kEqual, expected_mod_revision))
      .Then(TxnOp::Delete(key));
  VDB_ASSIGN_OR_RETURN(TxnResult r, Commit(txn));
  if (!r.succeeded || r.responses.at(0).deleted == 0) {
    return Status::Aborted("meta key " + PrintableKey(key) + ": changed since mod_revision " +
                           std::to_string(expected_mod_revision));
  }
  return r.revision;
}

std::optional<std::string> PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) return std::nullopt;
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

std::string PrintableKey(std::string_view key) {
  constexpr size_t kMaxShown = 200;
  std::string out = "\"";
  for (size_t i = 0; i < key.size() && i < kMaxShown; ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (key.size() > kMaxShown) out += "...";
  out += "\"";
  return out;
}

namespace {

bool IsPointOp(TxnOpType type) {
  return type == TxnOpType::kPut || type == TxnOpType::kGet || type == TxnOpType::kDelete;
}

// etcd rejects a branch that puts one key twice, or puts a key that a delete in it also covers,
// because the outcome would depend on op order in ways no caller means.
Status ValidateBranch(const std::vector<TxnOp>& ops, const char* branch) {
  std::set<std::string> put_keys;
  for (const TxnOp& op : ops) {
    if (IsPointOp(op.type) && op.key.empty()) {
      return Status::InvalidArgument(std::string("meta txn: empty key in ") + branch + " branch");
    }
    if (op.type == TxnOpType::kScan && op.limit < 0) {
      return Status::InvalidArgument("meta txn: negative scan limit " + std::to_string(op.limit));
    }
    if (op.type == TxnOpType::kPut && !put_keys.insert(op.key).second) {
      return Status::InvalidArgument("meta txn: key " + PrintableKey(op.key) + " put twice in " +
                                     branch + " branch");
    }
  }
  for (const TxnOp& op : ops) {
    bool covers = false;
    if (op.type == TxnOpType::kDelete) {
      covers = put_keys.count(op.key) > 0;
    } else if (op.type == TxnOpType::kDeletePrefix) {
      auto it = put_keys.lower_bound(op.key);
      covers = it != put_keys.end() && it->compare(0, op.key.size(), op.key) == 0;
    }
    if (covers) {
      return Status::InvalidArgument("meta txn: " + std::string(branch) +
                                     " branch both puts and deletes under " + PrintableKey(op.key));
    }
  }
  return Status::OK();
}

template <typename T>
bool Apply(CompareOp op, const T& lhs, const T& rhs) {
  switch (op) {
    case CompareOp::kEqual:
      return lhs == rhs;
    case CompareOp::kNotEqual:
      return lhs != rhs;
    case CompareOp::kLess:
      return lhs < rhs;
    case CompareOp::kGreater:
      return lhs > rhs;
  }
  return false;
}

}  // namespace

Status ValidateTxn(const Txn& txn) {
  for (const Compare& c : txn.compares) {
    if (c.key.empty()) return Status::InvalidArgument("meta txn: compare on an empty key");
  }
  VDB_RETURN_IF_ERROR(ValidateBranch(txn.success, "success"));
  return ValidateBranch(txn.failure, "failure");
}

bool EvaluateCompare(const Compare& compare, const std::optional<KeyValue>& kv) {
  switch (compare.target) {
    case CompareTarget::kValue:
      // etcd: a value compare on a missing key is false whatever the op.
      return kv.has_value() && Apply(compare.op, kv->value, compare.value);
    case CompareTarget::kCreateRevision:
      return Apply(compare.op, kv ? kv->create_revision : 0, compare.number);
    case CompareTarget::kModRevision:
      return Apply(compare.op, kv ? kv->mod_revision : 0, compare.number);
    case CompareTarget::kVersion:
      return Apply(compare.op, kv ? kv->version : int64_t{0}, compare.number);
  }
  return false;
}

}  // namespace vdb::meta
