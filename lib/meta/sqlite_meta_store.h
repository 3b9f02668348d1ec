// The SQLite implementation of MetaStore: one database file (WAL journal, synchronous=FULL), one
// connection per store guarded by a mutex, so a store is thread-safe and calls are serialised (a
// Commit holds the mutex across its fsync: catalog writes are few, and one connection keeps the
// prepared statements simple; open a second store on the same file for independent readers).
// Several processes may open the same file: the revision lives in the database and every write
// runs inside BEGIN IMMEDIATE, so their transactions are serialised by SQLite's file locks.
//
// Schema (version kSqliteMetaSchemaVersion; steps are numbered and applied in one transaction at
// open, so a crash mid-migration leaves the previous version):
//   vdb_meta(name TEXT PRIMARY KEY, value INTEGER)   rows "schema_version" and "revision"
//   kv(key BLOB PRIMARY KEY, value BLOB, create_rev, mod_rev, version INTEGER)
// Keys and values are always bound as BLOBs, so SQLite orders keys with memcmp as MetaStore needs.
// The file's application_id is "VDBM" so another program's SQLite file is not mistaken for ours.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "meta/meta_store.h"

namespace vdb {
class Env;
}  // namespace vdb

namespace vdb::meta {

// The schema version this binary writes; it opens files of this version or older (migrating them).
inline constexpr int64_t kSqliteMetaSchemaVersion = 1;

struct SqliteOptions {
  // How long a call waits for another connection's write lock before giving up with kUnavailable.
  int busy_timeout_ms = 5000;
  // Opens an existing, fully migrated file without writing to it; writes are kNotSupported.
  bool read_only = false;
  // For the existence check and the directory sync after creating the file; must outlive the
  // store. nullptr = Env::Default().
  Env* env = nullptr;
  // Test hook, called inside a write transaction with the store's lock held: after the compares
  // were evaluated and before op `step` of the chosen branch is applied, and with step == the
  // branch's op count just before COMMIT. Crash tests block or die in it.
  std::function<void(size_t step)> TEST_txn_hook;
};

// Opens (creating it and its schema if missing, unless read_only) the meta store at `path`. The
// special path ":memory:" gives a private in-memory store for tests (no WAL, not durable).
// Errors: kCorruption naming the file when it is not a SQLite database, is damaged, or belongs to
// another program; kNotSupported naming the file and both versions when its schema is newer than
// this binary (or, read_only, older); kNotFound when read_only and the file is missing;
// kUnavailable when it stayed locked beyond the busy timeout; kIOError otherwise.
Result<std::unique_ptr<MetaStore>> OpenSqliteMetaStore(const std::string& path,
                                                       const SqliteOptions& options = {});

// Test only: overwrites the schema version recorded in the file at `path`, e.g. to check that a
// newer file is refused.
Status TEST_SetSqliteMetaSchemaVersion(const std::string& path, int64_t version);

}  // namespace vdb::meta
