#include "meta/sqlite_meta_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <utility>

#include "common/env.h"

namespace vdb::meta {
namespace {

// "VDBM": marks the file as ours in the SQLite header, so another program's database is refused.
constexpr int32_t kApplicationId = 0x5644424D;

// Numbered schema steps; a file at version v gets steps v+1.. applied in one transaction. Never
// edit a released step: append a new one and bump kSqliteMetaSchemaVersion.
struct MigrationStep {
  int64_t version;
  const char* sql;
};
constexpr MigrationStep kMigrations[] = {
    {1,
     "CREATE TABLE vdb_meta(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;"
     "INSERT INTO vdb_meta(name, value) VALUES('revision', 0);"
     "CREATE TABLE kv(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL,"
     " create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL, version INTEGER NOT NULL)"
     " WITHOUT ROWID;"},
};

constexpr bool MigrationsAreNumbered() {
  int64_t expected = 1;
  for (const MigrationStep& step : kMigrations) {
    if (step.version != expected++) return false;
  }
  return expected - 1 == kSqliteMetaSchemaVersion;
}
static_assert(MigrationsAreNumbered(), "kMigrations must be numbered 1..kSqliteMetaSchemaVersion");

// Statements prepared once per connection and reused.
enum StmtId : size_t {
  kBeginDeferred,
  kBeginImmediate,
  kCommitStmt,
  kRollback,
  kGetKey,
  kScanRange,  // prefix with an end bound
  kScanFrom,   // prefix without one (empty or all 0xff)
  kUpsert,
  kDeleteKey,
  kDeleteRange,
  kDeleteFrom,
  kGetRevision,
  kSetRevision,
  kStmtCount,
};
constexpr const char* kStmtSql[kStmtCount] = {
    "BEGIN DEFERRED",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT value, create_rev, mod_rev, version FROM kv WHERE key = ?1",
    "SELECT key, value, create_rev, mod_rev, version FROM kv WHERE key >= ?1 AND key < ?2"
    " ORDER BY key LIMIT ?3",
    "SELECT key, value, create_rev, mod_rev, version FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?2",
    "INSERT INTO kv(key, value, create_rev, mod_rev, version) VALUES(?1, ?2, ?3, ?3, 1)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev,"
    " version = version + 1",
    "DELETE FROM kv WHERE key = ?1",
    "DELETE FROM kv WHERE key >= ?1 AND key < ?2",
    "DELETE FROM kv WHERE key >= ?1",
    "SELECT value FROM vdb_meta WHERE name = 'revision'",
    "UPDATE vdb_meta SET value = ?1 WHERE name = 'revision'",
};

Status SqliteError(sqlite3* db, int rc, const std::string& path, std::string_view what) {
  std::string msg = "meta store " + path + ": " + std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + " (sqlite code " +
                    std::to_string(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Corruption(std::move(msg));
    case SQLITE_TOOBIG:
      return Status::InvalidArgument(std::move(msg));
    case SQLITE_NOMEM:
    case SQLITE_INTERNAL:
    case SQLITE_MISUSE:
    case SQLITE_ERROR:
      return Status::Internal(std::move(msg));
    default:  // IOERR, FULL, CANTOPEN, READONLY, PERM, PROTOCOL, ...
      return Status::IOError(std::move(msg));
  }
}

// Resets a statement (ending any read it holds open) and drops its bindings on scope exit.
class ScopedReset {
 public:
  explicit ScopedReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ScopedReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// Binds bytes as a BLOB (never TEXT: the two types sort apart). std::string::data() is never null,
// so an empty string binds an empty BLOB rather than NULL.
int BindBlob(sqlite3_stmt* stmt, int index, const std::string& bytes) {
  return sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

std::string ColumnBytes(sqlite3_stmt* stmt, int col) {
  const void* data = sqlite3_column_blob(stmt, col);
  int size = sqlite3_column_bytes(stmt, col);
  if (data == nullptr || size <= 0) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

bool IsWrite(const TxnOp& op) {
  return op.type == TxnOpType::kPut || op.type == TxnOpType::kDelete ||
         op.type == TxnOpType::kDeletePrefix;
}

bool HasWrites(const Txn& txn) {
  for (const TxnOp& op : txn.success) {
    if (IsWrite(op)) return true;
  }
  for (const TxnOp& op : txn.failure) {
    if (IsWrite(op)) return true;
  }
  return false;
}

class SqliteMetaStore final : public MetaStore {
 public:
  static Result<std::unique_ptr<MetaStore>> Open(const std::string& path,
                                                 const SqliteOptions& options);
  ~SqliteMetaStore() override;
  SqliteMetaStore(const SqliteMetaStore&) = delete;
  SqliteMetaStore& operator=(const SqliteMetaStore&) = delete;

  Result<std::optional<KeyValue>> Get(const std::string& key) override;
  Result<std::vector<KeyValue>> Scan(const std::string& prefix, int64_t limit) override;
  Result<Revision> CurrentRevision() override;
  Result<TxnResult> Commit(const Txn& txn) override;

 private:
  SqliteMetaStore(sqlite3* db, std::string path, SqliteOptions options)
      : db_(db), path_(std::move(path)), options_(std::move(options)) {}

  Status Error(int rc, std::string_view what) const { return SqliteError(db_, rc, path_, what); }
  Status Configure(Env* env);
  Result<std::string> SetWalMode();
  Status Migrate();
  Result<int64_t> ReadSchemaVersion();
  Result<int64_t> QueryInt(const char* sql);
  Status ExecScript(const char* sql, std::string_view what);
  Status SetSchemaVersion(int64_t version);

  // All *Locked functions REQUIRE mu_ held.
  Result<sqlite3_stmt*> Stmt(StmtId id);
  Status RunSimple(StmtId id, std::string_view what);
  void RollbackLocked();
  Result<Revision> RevisionLocked();
  Result<std::optional<KeyValue>> GetLocked(const std::string& key);
  Result<std::vector<KeyValue>> ScanLocked(const std::string& prefix, int64_t limit);
  Status PutLocked(const std::string& key, const std::string& value, Revision revision);
  Result<int64_t> DeleteLocked(const TxnOp& op);
  Result<TxnResult> RunTxnLocked(const Txn& txn, bool writes);

  std::mutex mu_;
  sqlite3* const db_;  // one connection, used under mu_
  const std::string path_;
  const SqliteOptions options_;
  std::array<sqlite3_stmt*, kStmtCount> stmts_{};  // lazily prepared, under mu_
};

Result<std::unique_ptr<MetaStore>> SqliteMetaStore::Open(const std::string& path,
                                                         const SqliteOptions& options) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  const bool in_memory = path == ":memory:";
  const bool existed = in_memory || env->FileExists(path);
  if (options.read_only && !existed) {
    return Status::NotFound("meta store " + path + ": no such file (opened read-only)");
  }
  int flags = SQLITE_OPEN_NOMUTEX;  // the store's own mutex serialises the connection
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, path, "open");
    sqlite3_close_v2(db);
    return s;
  }
  std::unique_ptr<SqliteMetaStore> store(new SqliteMetaStore(db, path, options));
  VDB_RETURN_IF_ERROR(store->Configure(env));
  VDB_RETURN_IF_ERROR(store->Migrate());
  if (!existed) {
    // SQLite syncs the directory for its WAL file but not for a new main file.
    VDB_RETURN_IF_ERROR(env->SyncDir(DirName(path)).WithContext("meta store " + path));
  }
  return std::unique_ptr<MetaStore>(std::move(store));
}

SqliteMetaStore::~SqliteMetaStore() {
  for (sqlite3_stmt* stmt : stmts_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteMetaStore::Configure(Env* env) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
  if (!options_.read_only && path_ != ":memory:") {
    // Switching a fresh file to WAL needs an exclusive lock, and SQLite reports SQLITE_BUSY at once
    // (without its busy handler) when another process is opening the same file; so retry here,
    // within the same timeout.
    const uint64_t deadline =
        env->MonotonicMicros() + static_cast<uint64_t>(options_.busy_timeout_ms) * 1000;
    uint64_t backoff_micros = 500;
    for (;;) {
      Result<std::string> mode = SetWalMode();
      if (mode.ok()) {
        if (*mode == "wal") break;
        return Status::IOError("meta store " + path_ + ": journal_mode is " + *mode + ", not wal");
      }
      if (mode.status().code() != StatusCode::kUnavailable || env->MonotonicMicros() > deadline) {
        return mode.status();
      }
      env->SleepForMicros(backoff_micros);
      backoff_micros = std::min<uint64_t>(backoff_micros * 2, 20000);
    }
  }
  return ExecScript("PRAGMA synchronous=FULL", "set synchronous=FULL");
}

// The journal mode in force afterwards. The first statement to read the file, so a file that is
// not a database fails here.
Result<std::string> SqliteMetaStore::SetWalMode() {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  std::string mode = rc == SQLITE_ROW ? ColumnBytes(stmt, 0) : std::string();
  Status s = rc == SQLITE_ROW ? Status::OK() : Error(rc, "set journal_mode=WAL");
  sqlite3_finalize(stmt);
  if (!s.ok()) return s;
  return mode;
}

Status SqliteMetaStore::ExecScript(const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::OK() : Error(rc, what);
}

Result<int64_t> SqliteMetaStore::QueryInt(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc == SQLITE_DONE) return Status::Corruption("meta store " + path_ + ": no row for " + sql);
  if (rc != SQLITE_ROW) return Error(rc, sql);
  return value;
}

// 0 for a fresh (empty) database; refuses files that are not ours.
Result<int64_t> SqliteMetaStore::ReadSchemaVersion() {
  VDB_ASSIGN_OR_RETURN(int64_t app_id, QueryInt("PRAGMA application_id"));
  if (app_id != 0 && app_id != kApplicationId) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "0x%08llx", static_cast<unsigned long long>(app_id));
    return Status::Corruption("meta store " + path_ + ": not a vdb meta store (application_id " +
                              buf + ")");
  }
  VDB_ASSIGN_OR_RETURN(int64_t has_meta,
                       QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name = 'vdb_meta'"));
  if (has_meta == 0) {
    VDB_ASSIGN_OR_RETURN(int64_t objects, QueryInt("SELECT count(*) FROM sqlite_master"));
    if (objects != 0 || app_id != 0) {
      return Status::Corruption("meta store " + path_ +
                                ": not a vdb meta store (no vdb_meta table)");
    }
    return int64_t{0};
  }
  return QueryInt("SELECT value FROM vdb_meta WHERE name = 'schema_version'");
}

Status SqliteMetaStore::SetSchemaVersion(int64_t version) {
  std::string sql = "INSERT INTO vdb_meta(name, value) VALUES('schema_version', " +
                    std::to_string(version) +
                    ") ON CONFLICT(name) DO UPDATE SET value = excluded.value";
  return ExecScript(sql.c_str(), "record schema version");
}

Status SqliteMetaStore::Migrate() {
  if (options_.read_only) {
    VDB_ASSIGN_OR_RETURN(int64_t version, ReadSchemaVersion());
    if (version != kSqliteMetaSchemaVersion) {
      return Status::NotSupported("meta store " + path_ + ": schema version " +
                                  std::to_string(version) + ", this binary reads version " +
                                  std::to_string(kSqliteMetaSchemaVersion) +
                                  " and cannot migrate a read-only store");
    }
    return Status::OK();
  }
  // IMMEDIATE: two processes opening a fresh file at once must not both create the schema.
  VDB_RETURN_IF_ERROR(ExecScript("BEGIN IMMEDIATE", "begin schema migration"));
  Status s = [&]() -> Status {
    VDB_ASSIGN_OR_RETURN(int64_t version, ReadSchemaVersion());
    if (version > kSqliteMetaSchemaVersion) {
      return Status::NotSupported(
          "meta store " + path_ + ": schema version " + std::to_string(version) +
          " is newer than this binary supports (" + std::to_string(kSqliteMetaSchemaVersion) + ")");
    }
    if (version == 0) {
      VDB_RETURN_IF_ERROR(
          ExecScript(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str(),
                     "set application_id"));
    }
    for (const MigrationStep& step : kMigrations) {
      if (step.version <= version) continue;
      VDB_RETURN_IF_ERROR(
          ExecScript(step.sql, "schema migration step " + std::to_string(step.version)));
      VDB_RETURN_IF_ERROR(SetSchemaVersion(step.version));
    }
    return ExecScript("COMMIT", "commit schema migration");
  }();
  if (!s.ok() && sqlite3_get_autocommit(db_) == 0) {
    (void)ExecScript("ROLLBACK", "rollback schema migration");
  }
  return s;
}

Result<sqlite3_stmt*> SqliteMetaStore::Stmt(StmtId id) {
  if (stmts_[id] == nullptr) {
    int rc =
        sqlite3_prepare_v3(db_, kStmtSql[id], -1, SQLITE_PREPARE_PERSISTENT, &stmts_[id], nullptr);
    if (rc != SQLITE_OK) return Error(rc, std::string("prepare ") + kStmtSql[id]);
  }
  return stmts_[id];
}

Status SqliteMetaStore::RunSimple(StmtId id, std::string_view what) {
  VDB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Stmt(id));
  ScopedReset reset(stmt);
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) {
    if ((rc & 0xff) == SQLITE_BUSY) {
      return Status::Unavailable("meta store " + path_ + ": " + std::string(what) +
                                 ": still locked by another writer after " +
                                 std::to_string(options_.busy_timeout_ms) + " ms");
    }
    return Error(rc, what);
  }
  return Status::OK();
}

void SqliteMetaStore::RollbackLocked() {
  if (sqlite3_get_autocommit(db_) == 0) (void)RunSimple(kRollback, "rollback");
}

Result<Revision> SqliteMetaStore::RevisionLocked() {
  VDB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Stmt(kGetRevision));
  ScopedReset reset(stmt);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) return Revision{sqlite3_column_int64(stmt, 0)};
  if (rc == SQLITE_DONE) return Status::Corruption("meta store " + path_ + ": no revision row");
  return Error(rc, "read revision");
}

Result<std::optional<KeyValue>> SqliteMetaStore::GetLocked(const std::string& key) {
  VDB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Stmt(kGetKey));
  ScopedReset reset(stmt);
  BindBlob(stmt, 1, key);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<KeyValue>();
  if (rc != SQLITE_ROW) return Error(rc, "get " + PrintableKey(key));
  KeyValue kv;
  kv.key = key;
  kv.value = ColumnBytes(stmt, 0);
  kv.create_revision = sqlite3_column_int64(stmt, 1);
  kv.mod_revision = sqlite3_column_int64(stmt, 2);
  kv.version = sqlite3_column_int64(stmt, 3);
  return std::optional<KeyValue>(std::move(kv));
}

Result<std::vector<KeyValue>> SqliteMetaStore::ScanLocked(const std::string& prefix,
                                                          int64_t limit) {
  if (limit < 0) {
    return Status::InvalidArgument("meta store scan: negative limit " + std::to_string(limit));
  }
  std::optional<std::string> end = PrefixEnd(prefix);
  VDB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Stmt(end ? kScanRange : kScanFrom));
  ScopedReset reset(stmt);
  BindBlob(stmt, 1, prefix);
  if (end) BindBlob(stmt, 2, *end);
  sqlite3_bind_int64(stmt, end ? 3 : 2, limit == 0 ? -1 : limit);  // LIMIT -1: no limit
  std::vector<KeyValue> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    KeyValue kv;
    kv.key = ColumnBytes(stmt, 0);
    kv.value = ColumnBytes(stmt, 1);
    kv.create_revision = sqlite3_column_int64(stmt, 2);
    kv.mod_revision = sqlite3_column_int64(stmt, 3);
    kv.version = sqlite3_column_int64(stmt, 4);
    out.push_back(std::move(kv));
  }
  if (rc != SQLITE_DONE) return Error(rc, "scan " + PrintableKey(prefix));
  return out;
}

Status SqliteMetaStore::PutLocked(const std::string& key, const std::string& value,
                                  Revision revision) {
  VDB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Stmt(kUpsert));
  ScopedReset reset(stmt);
  BindBlob(stmt, 1, key);
  BindBlob(stmt, 2, value);
  sqlite3_bind_int64(stmt, 3, revision);
  int rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? Status::OK() : Error(rc, "put " + PrintableKey(key));
}

Result<int64_t> SqliteMetaStore::DeleteLocked(const TxnOp& op) {
  std::optional<std::string> end;
  StmtId id = kDeleteKey;
  if (op.type == TxnOpType::kDeletePrefix) {
    end = PrefixEnd(op.key);
    id = end ? kDeleteRange : kDeleteFrom;
  }
  VDB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Stmt(id));
  ScopedReset reset(stmt);
  BindBlob(stmt, 1, op.key);
  if (end) BindBlob(stmt, 2, *end);
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) return Error(rc, "delete " + PrintableKey(op.key));
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Result<TxnResult> SqliteMetaStore::RunTxnLocked(const Txn& txn, bool writes) {
  VDB_ASSIGN_OR_RETURN(Revision revision, RevisionLocked());
  TxnResult result;
  result.succeeded = true;
  for (const Compare& compare : txn.compares) {
    VDB_ASSIGN_OR_RETURN(std::optional<KeyValue> kv, GetLocked(compare.key));
    if (!EvaluateCompare(compare, kv)) {
      result.succeeded = false;
      break;
    }
  }
  const std::vector<TxnOp>& ops = result.succeeded ? txn.success : txn.failure;
  const Revision next = revision + 1;
  bool changed = false;
  result.responses.resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    if (writes && options_.TEST_txn_hook) options_.TEST_txn_hook(i);
    const TxnOp& op = ops[i];
    OpResponse& response = result.responses[i];
    switch (op.type) {
      case TxnOpType::kPut:
        VDB_RETURN_IF_ERROR(PutLocked(op.key, op.value, next));
        changed = true;
        break;
      case TxnOpType::kGet: {
        VDB_ASSIGN_OR_RETURN(std::optional<KeyValue> kv, GetLocked(op.key));
        if (kv) response.kvs.push_back(std::move(*kv));
        break;
      }
      case TxnOpType::kScan: {
        VDB_ASSIGN_OR_RETURN(response.kvs, ScanLocked(op.key, op.limit));
        break;
      }
      case TxnOpType::kDelete:
      case TxnOpType::kDeletePrefix: {
        VDB_ASSIGN_OR_RETURN(response.deleted, DeleteLocked(op));
        changed = changed || response.deleted > 0;
        break;
      }
    }
  }
  if (writes && options_.TEST_txn_hook) options_.TEST_txn_hook(ops.size());
  result.revision = revision;
  if (changed) {
    VDB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Stmt(kSetRevision));
    ScopedReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, next);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return Error(rc, "set revision");
    result.revision = next;
  }
  return result;
}

Result<TxnResult> SqliteMetaStore::Commit(const Txn& txn) {
  VDB_RETURN_IF_ERROR(ValidateTxn(txn));
  const bool writes = HasWrites(txn);
  if (writes && options_.read_only) {
    return Status::NotSupported("meta store " + path_ + ": opened read-only");
  }
  std::lock_guard<std::mutex> lock(mu_);
  // IMMEDIATE takes the write lock up front, so compares and writes see one state and a busy
  // database waits in the busy handler instead of failing at the first write.
  VDB_RETURN_IF_ERROR(RunSimple(writes ? kBeginImmediate : kBeginDeferred, "begin"));
  Result<TxnResult> result = RunTxnLocked(txn, writes);
  if (!result.ok()) {
    RollbackLocked();
    return result;
  }
  Status s = RunSimple(kCommitStmt, "commit");
  if (!s.ok()) {
    RollbackLocked();
    return s;
  }
  return result;
}

Result<std::optional<KeyValue>> SqliteMetaStore::Get(const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("meta store get: empty key");
  std::lock_guard<std::mutex> lock(mu_);
  return GetLocked(key);
}

Result<std::vector<KeyValue>> SqliteMetaStore::Scan(const std::string& prefix, int64_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return ScanLocked(prefix, limit);
}

Result<Revision> SqliteMetaStore::CurrentRevision() {
  std::lock_guard<std::mutex> lock(mu_);
  return RevisionLocked();
}

}  // namespace

Result<std::unique_ptr<MetaStore>> OpenSqliteMetaStore(const std::string& path,
                                                       const SqliteOptions& options) {
  return SqliteMetaStore::Open(path, options);
}

Status TEST_SetSqliteMetaSchemaVersion(const std::string& path, int64_t version) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc == SQLITE_OK) {
    std::string sql =
        "UPDATE vdb_meta SET value = " + std::to_string(version) + " WHERE name = 'schema_version'";
    rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
  Status s = rc == SQLITE_OK ? Status::OK() : SqliteError(db, rc, path, "set schema version");
  sqlite3_close_v2(db);
  return s;
}

}  // namespace vdb::meta
