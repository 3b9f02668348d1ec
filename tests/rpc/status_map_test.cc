#include "rpc/status_map.h"

#include <gtest/gtest.h>

#include "rpc/http.h"

namespace vdb::rpc {
namespace {

const StatusCode kAllCodes[] = {
    StatusCode::kNotFound,         StatusCode::kAlreadyExists, StatusCode::kInvalidArgument,
    StatusCode::kCorruption,       StatusCode::kIOError,       StatusCode::kUnavailable,
    StatusCode::kDeadlineExceeded, StatusCode::kNotSupported,  StatusCode::kInternal,
    StatusCode::kAborted,
};

TEST(StatusMapTest, EveryErrorRoundTripsThroughAnInternalResponse) {
  for (StatusCode code : kAllCodes) {
    Status original(code, "segment 42: something \"quoted\" \xff happened");
    Response response;
    WriteInternalError(original, &response);
    EXPECT_GE(response.status, 400) << StatusCodeName(code);
    Status back = StatusFromHttp(response.status, response.body);
    EXPECT_EQ(back.code(), code) << StatusCodeName(code);
    EXPECT_NE(back.message().find("segment 42: something \"quoted\""), std::string::npos)
        << back.message();
  }
}

TEST(StatusMapTest, FallsBackToHttpStatusForForeignBodies) {
  Status s = StatusFromHttp(503, "upstream down");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("upstream down"), std::string::npos);
  EXPECT_EQ(StatusFromHttp(404, "404 page not found").code(), StatusCode::kNotFound);
  EXPECT_EQ(StatusFromHttp(418, "").code(), StatusCode::kInternal);
  EXPECT_TRUE(StatusFromHttp(200, "whatever").ok());
  // An "error" name we do not know falls back too.
  EXPECT_EQ(StatusFromHttp(400, R"({"error":"weird","message":"m"})").code(),
            StatusCode::kInvalidArgument);
}

TEST(StatusMapTest, MilvusCodes) {
  EXPECT_EQ(MilvusCodeFor(StatusCode::kOk), 0);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kInvalidArgument), 1100);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kDeadlineExceeded), 10001);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kInternal), 5);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kUnavailable), 2);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kNotFound), 65535);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kNotFound, ObjectKind::kCollection), 100);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kNotFound, ObjectKind::kPartition), 200);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kNotFound, ObjectKind::kIndex), 700);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kNotFound, ObjectKind::kDatabase), 800);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kNotFound, ObjectKind::kAlias), 1600);
  EXPECT_EQ(MilvusCodeFor(StatusCode::kNotFound, ObjectKind::kField), 1700);
  // The kind only matters for kNotFound.
  EXPECT_EQ(MilvusCodeFor(StatusCode::kInvalidArgument, ObjectKind::kCollection), 1100);
  EXPECT_EQ(MilvusHttpStatus(10001), 408);
  EXPECT_EQ(MilvusHttpStatus(1800), 401);
  EXPECT_EQ(MilvusHttpStatus(100), 200);
  EXPECT_EQ(StatusCodeForMilvus(100), StatusCode::kNotFound);
  EXPECT_EQ(StatusCodeForMilvus(1100), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCodeForMilvus(10001), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(StatusCodeForMilvus(65535), StatusCode::kInternal);
}

TEST(StatusMapTest, ExitCodes) {
  EXPECT_EQ(ExitCodeForClientError(StatusCode::kOk), ExitCode::kOk);
  EXPECT_EQ(ExitCodeForClientError(StatusCode::kInvalidArgument), ExitCode::kUsage);
  EXPECT_EQ(ExitCodeForClientError(StatusCode::kUnavailable), ExitCode::kUnreachable);
  EXPECT_EQ(ExitCodeForClientError(StatusCode::kDeadlineExceeded), ExitCode::kUnreachable);
  EXPECT_EQ(ExitCodeForClientError(StatusCode::kNotFound), ExitCode::kServerError);
}

TEST(StatusMapTest, StatusCodeNamesParseBack) {
  for (StatusCode code : kAllCodes) {
    StatusCode parsed = StatusCode::kOk;
    ASSERT_TRUE(ParseStatusCodeName(StatusCodeName(code), &parsed));
    EXPECT_EQ(parsed, code);
  }
  StatusCode parsed;
  EXPECT_FALSE(ParseStatusCodeName("nope", &parsed));
}

}  // namespace
}  // namespace vdb::rpc
