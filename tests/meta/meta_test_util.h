// Test helpers for lib/meta: readable gtest output for KeyValue.
#pragma once

#include <ostream>

#include "meta/meta_store.h"

namespace vdb::meta {

// Found by gtest through ADL, so failed EXPECT_EQs show keys instead of raw bytes.
inline void PrintTo(const KeyValue& kv, std::ostream* os) {
  *os << "{key " << PrintableKey(kv.key) << ", value " << PrintableKey(kv.value) << ", create "
      << kv.create_revision << ", mod " << kv.mod_revision << ", version " << kv.version << "}";
}

}  // namespace vdb::meta
