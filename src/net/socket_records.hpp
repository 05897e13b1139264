#pragma once
// What Asio keeps per socket between bursts, for the metrics (see asio_descriptor_slab.hpp).

#include <cstddef>

namespace authgate::net {

/// Bytes held by Asio's per-socket records: one for every socket open at once at the busiest moment so
/// far, kept for reuse and never returned (176 KiB per 1,024 sockets).
std::size_t socket_record_bytes() noexcept;

}  // namespace authgate::net
