// MetaStore: a transactional key-value store for catalog state, shaped like etcd's KV API
// (revisions, versions, If/Then/Else transactions) so that etcd can implement it as well as SQLite
// does. Implementations are thread-safe; several processes may share one store.
//
// Durability: a Put, Delete, DeletePrefix or Commit that returned OK is durable and survives a
// crash of the process or the machine. One that returned an error, or whose process died before
// it returned, applied either all of its operations or none.
//
// Revisions (as in etcd): the store has one global revision, 0 when empty. Every write transaction
// that changes at least one key bumps it by exactly one, and every key it changes gets that
// revision as its mod_revision. A key's create_revision is the revision that created it, and its
// version counts the Puts since then (1 after creation). Deleting a key forgets it: putting it
// again starts a new life with a new create_revision and version 1. No history is kept: there are
// no reads at an old revision and no watches (yet).
//
// Keys are arbitrary non-empty byte strings (embedded NULs and 0xff bytes are fine), ordered
// bytewise like memcmp. Values are opaque bytes, possibly empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace vdb::meta {

// A store-wide logical clock; see the revision rules above.
using Revision = int64_t;

struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision = 0;
  Revision mod_revision = 0;
  int64_t version = 0;

  bool operator==(const KeyValue&) const = default;
};

// What a Compare looks at. A missing key has create_revision, mod_revision and version 0 (as in
// etcd), so "version == 0" means "absent"; a Value compare on a missing key is always false.
enum class CompareTarget : uint8_t { kCreateRevision, kModRevision, kVersion, kValue };
enum class CompareOp : uint8_t { kEqual, kNotEqual, kLess, kGreater };

// One condition of a transaction: `<target of key> <op> <operand>`. Values compare bytewise.
struct Compare {
  std::string key;
  CompareTarget target = CompareTarget::kVersion;
  CompareOp op = CompareOp::kEqual;
  int64_t number = 0;  // operand for the revision and version targets
  std::string value;   // operand for kValue

  static Compare ModRevision(std::string key, CompareOp op, Revision revision);
  static Compare CreateRevision(std::string key, CompareOp op, Revision revision);
  static Compare Version(std::string key, CompareOp op, int64_t version);
  static Compare Value(std::string key, CompareOp op, std::string value);
  // version > 0 and version == 0.
  static Compare Exists(std::string key);
  static Compare Missing(std::string key);
};

enum class TxnOpType : uint8_t { kPut, kGet, kDelete, kDeletePrefix, kScan };

// One operation of a transaction branch. Ops apply in order, and a Get or Scan sees the writes of
// the ops before it in the same branch.
struct TxnOp {
  TxnOpType type = TxnOpType::kGet;
  std::string key;    // the key, or the prefix for kDeletePrefix and kScan
  std::string value;  // kPut only
  int64_t limit = 0;  // kScan only: at most this many keys; 0 = no limit

  static TxnOp Put(std::string key, std::string value);
  static TxnOp Get(std::string key);
  static TxnOp Delete(std::string key);
  // An empty prefix matches every key.
  static TxnOp DeletePrefix(std::string prefix);
  static TxnOp Scan(std::string prefix, int64_t limit = 0);
};

// If every compare holds, the success ops apply; otherwise the failure ops. Either way atomically,
// and compares and ops see one consistent state. Like etcd, a branch may not write one key twice
// (two Puts, or a Put and a Delete/DeletePrefix covering it): that is kInvalidArgument.
//
//   Txn txn;
//   txn.If(Compare::ModRevision("c/1", CompareOp::kEqual, rev))
//       .Then(TxnOp::Put("c/1", next))
//       .Else(TxnOp::Get("c/1"));
struct Txn {
  std::vector<Compare> compares;
  std::vector<TxnOp> success;
  std::vector<TxnOp> failure;

  Txn& If(Compare compare) {
    compares.push_back(std::move(compare));
    return *this;
  }
  Txn& Then(TxnOp op) {
    success.push_back(std::move(op));
    return *this;
  }
  Txn& Else(TxnOp op) {
    failure.push_back(std::move(op));
    return *this;
  }
};

// The outcome of one op of the branch that ran.
struct OpResponse {
  std::vector<KeyValue> kvs;  // kGet: zero or one entry; kScan: the keys in order
  int64_t deleted = 0;        // kDelete, kDeletePrefix: how many keys were removed
};

struct TxnResult {
  bool succeeded = false;  // whether the compares held (so the success branch ran)
  // The store's revision after the transaction: the new one if it changed a key, else the current.
  Revision revision = 0;
  std::vector<OpResponse> responses;  // one per op of the branch that ran, in order
};

class MetaStore {
 public:
  virtual ~MetaStore() = default;

  // The entry for `key`, or nullopt if absent.
  virtual Result<std::optional<KeyValue>> Get(const std::string& key) = 0;
  // Every entry whose key starts with `prefix`, sorted by key; at most `limit` (0 = all).
  virtual Result<std::vector<KeyValue>> Scan(const std::string& prefix, int64_t limit = 0) = 0;
  virtual Result<Revision> CurrentRevision() = 0;

  // Runs `txn` atomically. A failed compare is not an error: the result says succeeded=false (and
  // callers that need one turn it into kAborted). Errors: kInvalidArgument for an empty key or a
  // branch writing one key twice; kUnavailable when the store stayed locked by another writer
  // beyond the configured timeout; kIOError, kCorruption from the storage; kNotSupported for a
  // write on a read-only store. After an error nothing of the transaction was applied.
  virtual Result<TxnResult> Commit(const Txn& txn) = 0;

  // Single-op conveniences built on Commit; same error codes.
  // The new revision.
  Result<Revision> Put(const std::string& key, const std::string& value);
  // Whether the key existed.
  Result<bool> Delete(const std::string& key);
  // How many keys were removed. An empty prefix removes every key.
  Result<int64_t> DeletePrefix(const std::string& prefix);

  // Puts `value` if the key's mod_revision is still `expected_mod_revision` (0: the key must be
  // absent); returns the new revision, or kAborted naming the key when it changed meanwhile.
  Result<Revision> CompareAndSwap(const std::string& key, Revision expected_mod_revision,
                                  const std::string& value);
  // Puts `value` only if the key is absent; the new revision, or kAlreadyExists naming the key.
  Result<Revision> PutIfAbsent(const std::string& key, const std::string& value);
  // Deletes the key if its mod_revision is still `expected_mod_revision`; the new revision, or
  // kAborted when it changed or is gone.
  Result<Revision> CompareAndDelete(const std::string& key, Revision expected_mod_revision);
};

// Helpers shared by implementations.

// The smallest key greater than every key starting with `prefix`, or nullopt when there is none
// (the prefix is empty or all 0xff bytes): strip trailing 0xff bytes, then increment the last one.
std::optional<std::string> PrefixEnd(const std::string& prefix);

// Checks keys are non-empty and that no branch writes one key twice; kInvalidArgument otherwise.
Status ValidateTxn(const Txn& txn);

// `key` for error messages: printable ASCII as is, other bytes as \xNN, cut after 200 bytes.
std::string PrintableKey(std::string_view key);

// Whether `compare` holds for `kv` (nullopt: the key is absent), with etcd's rules.
bool EvaluateCompare(const Compare& compare, const std::optional<KeyValue>& kv);

}  // namespace vdb::meta
