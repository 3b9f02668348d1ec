#include "streaming/wal_payload.h"

#include "rpc/data_plane.h"
#include "rpc/wire.h"

namespace vdb::streaming {
namespace {

Status CheckVersion(rpc::WireReader* r, std::string_view what) {
  uint8_t version = 0;
  VDB_RETURN_IF_ERROR(r->GetU8("version", &version));
  if (version != kWalPayloadVersion) {
    return Status::Corruption(std::string(what) + " payload: unknown version " +
                              std::to_string(version));
  }
  return Status::OK();
}

}  // namespace

std::string EncodeInsertPayload(const InsertPayload& p) {
  rpc::WireWriter w;
  w.PutU8(kWalPayloadVersion);
  w.PutI64(p.collection_id.value());
  w.PutI64(p.partition_id.value());
  w.PutU8(p.upsert ? 1 : 0);
  w.PutString(p.columns);
  return w.Finish();
}

Result<InsertPayload> DecodeInsertPayload(std::string_view bytes) {
  rpc::WireReader r(bytes);
  VDB_RETURN_IF_ERROR(CheckVersion(&r, "insert"));
  InsertPayload p;
  int64_t collection = 0, partition = 0;
  uint8_t kind = 0;
  VDB_RETURN_IF_ERROR(r.GetI64("collection_id", &collection));
  VDB_RETURN_IF_ERROR(r.GetI64("partition_id", &partition));
  VDB_RETURN_IF_ERROR(r.GetU8("kind", &kind));
  if (kind > 1) return Status::Corruption("insert payload: bad kind " + std::to_string(kind));
  VDB_RETURN_IF_ERROR(r.GetString("columns", &p.columns));
  VDB_RETURN_IF_ERROR(r.ExpectEnd());
  p.collection_id = CollectionId(collection);
  p.partition_id = PartitionId(partition);
  p.upsert = kind == 1;
  return p;
}

std::string EncodeDeletePayload(const DeletePayload& p) {
  rpc::WireWriter w;
  w.PutU8(kWalPayloadVersion);
  w.PutI64(p.collection_id.value());
  rpc::PutPks(&w, p.pks);
  return w.Finish();
}

Result<DeletePayload> DecodeDeletePayload(std::string_view bytes) {
  rpc::WireReader r(bytes);
  VDB_RETURN_IF_ERROR(CheckVersion(&r, "delete"));
  DeletePayload p;
  int64_t collection = 0;
  VDB_RETURN_IF_ERROR(r.GetI64("collection_id", &collection));
  VDB_RETURN_IF_ERROR(rpc::GetPks(&r, "pks", &p.pks));
  VDB_RETURN_IF_ERROR(r.ExpectEnd());
  p.collection_id = CollectionId(collection);
  return p;
}

std::string EncodeSealPayload(const SealPayload& p) {
  rpc::WireWriter w;
  w.PutU8(kWalPayloadVersion);
  std::vector<int64_t> ids;
  for (const auto& [partition, segment] : p.segments) {
    ids.push_back(partition.value());
    ids.push_back(segment.value());
  }
  w.PutI64s(ids);
  return w.Finish();
}

Result<SealPayload> DecodeSealPayload(std::string_view bytes) {
  rpc::WireReader r(bytes);
  VDB_RETURN_IF_ERROR(CheckVersion(&r, "seal"));
  std::vector<int64_t> ids;
  VDB_RETURN_IF_ERROR(r.GetI64s("segments", &ids));
  VDB_RETURN_IF_ERROR(r.ExpectEnd());
  if (ids.size() % 2 != 0) return Status::Corruption("seal payload: odd id count");
  SealPayload p;
  for (size_t i = 0; i < ids.size(); i += 2) {
    p.segments.emplace_back(PartitionId(ids[i]), SegmentId(ids[i + 1]));
  }
  return p;
}

}  // namespace vdb::streaming
