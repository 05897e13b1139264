#pragma once
// Bounds on the configuration itself: a config is trusted input, but a typo or a generated file must
// not turn into minutes of loading or gigabytes of memory. Documented in docs/configuration.md.

#include <cstddef>
#include <cstdint>

namespace authgate::config::limits {

inline constexpr std::uint64_t max_file_bytes = 4u << 20;  // the YAML file
inline constexpr std::size_t max_nesting = 64;             // YAML nesting levels (see nesting_guard.hpp)
inline constexpr std::size_t max_listeners = 64;
inline constexpr std::size_t max_upstreams = 1024;
inline constexpr std::size_t max_stores = 256;
inline constexpr std::size_t max_realms = 256;
inline constexpr std::size_t max_routes = 10000;
inline constexpr std::size_t max_hosts_per_route = 256;
inline constexpr std::size_t max_methods_per_route = 32;
/// Challenges per 401: the client side refuses more than 16 (grammar::Limits::max_challenges).
inline constexpr std::size_t max_realms_per_route = 16;
/// users and groups each; longer allow-lists belong in a group file.
inline constexpr std::size_t max_principals_per_route = 1000;
/// `error_pages` entries per map, and the bytes of one page (it is held in memory and sent as it is).
inline constexpr std::size_t max_error_pages = 32;
inline constexpr std::uint64_t max_error_page_bytes = 256u << 10;
inline constexpr std::size_t max_name_bytes = 128;  // names of listeners, upstreams, stores, realms, routes

}  // namespace authgate::config::limits
