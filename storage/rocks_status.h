// Conversion of rocksdb::Status to absl::Status, in one place. Internal to nbo_storage.
#ifndef NBO_STORAGE_ROCKS_STATUS_H_
#define NBO_STORAGE_ROCKS_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace nbo::storage {

// OK for OK; otherwise the closest absl code (NotFound, DataLoss for corruption, Unavailable for
// I/O, busy, timeouts and shutdown, InvalidArgument, Unimplemented, Aborted, else Internal) with
// the message "<context>: <RocksDB's message>" (just RocksDB's message when context is empty).
absl::Status FromRocksStatus(const rocksdb::Status& status, std::string_view context = {});

}  // namespace nbo::storage

#endif  // NBO_STORAGE_ROCKS_STATUS_H_
