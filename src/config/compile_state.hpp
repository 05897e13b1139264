#pragma once
// The snapshot's StateStore (config `state`): this process's memory, or a Redis store that every gateway
// instance pointing at the same Redis shares. Internal to compile.cpp.

#include <memory>

#include "authgate/stores/state_store.hpp"
#include "config/model.hpp"
#include "config/problem.hpp"

namespace authgate::config {

/// Whether compile() may open a networked StateStore. `authgate check` validates the `state` section
/// but must not connect anywhere: it compiles with `offline`, and its snapshot then counts in memory.
enum class StateConnection { open, offline };

}  // namespace authgate::config

namespace authgate::config::detail {

/// The store for `state`: the process's in-memory store (process_state_store()) when no Redis is
/// configured or `connection` is offline; otherwise the process's Redis store for that url, key prefix,
/// password and timeout, made on first use — with an io_context and a thread of its own, never an I/O
/// thread's, because Digest's synchronous path blocks on the store — and kept until the process exits,
/// so reloads keep it and their counts (and callbacks may hold a reference to it). nullptr, with a
/// problem at state.redis, when the store cannot be made. Thread-safe.
std::shared_ptr<stores::StateStore> state_store_for(const Config& config, StateConnection connection,
                                                    Problems& problems);

}  // namespace authgate::config::detail
