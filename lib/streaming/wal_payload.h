// Payloads of the records a streaming node appends to a channel's WAL (wal::RecordType kInsert
// and kDelete; the record's own timestamp is the write's). Persisted: the layouts below never
// change meaning; a new layout gets a new version byte. Pure functions.
//
//   insert  version u8 (1), collection id i64, partition id i64, kind u8 (0 insert, 1 upsert),
//           columns string (segment/column_codec.h batch of every schema field)
//   delete  version u8 (1), collection id i64, primary keys (rpc/data_plane.h PutPks)
//   seal    version u8 (1), i64s of (partition id, segment id) pairs: the growing segments
//           sealed here hold every insert of their partition before this record. Replay drops
//           the rows of a partition whose segment the catalog shows committed.
// Integers use rpc/wire.h encodings (i64 zig-zag varint, string varint length + bytes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/schema.h"

namespace vdb::streaming {

inline constexpr uint8_t kWalPayloadVersion = 1;

struct InsertPayload {
  CollectionId collection_id;
  PartitionId partition_id;
  bool upsert = false;
  std::string_view columns;  // views the decoded bytes
};

struct DeletePayload {
  CollectionId collection_id;
  std::vector<PrimaryKey> pks;
};

std::string EncodeInsertPayload(const InsertPayload& p);
// kCorruption naming what is wrong; `columns` views `bytes`.
Result<InsertPayload> DecodeInsertPayload(std::string_view bytes);
std::string EncodeDeletePayload(const DeletePayload& p);
Result<DeletePayload> DecodeDeletePayload(std::string_view bytes);

struct SealPayload {
  std::vector<std::pair<PartitionId, SegmentId>> segments;
};

std::string EncodeSealPayload(const SealPayload& p);
Result<SealPayload> DecodeSealPayload(std::string_view bytes);

}  // namespace vdb::streaming
