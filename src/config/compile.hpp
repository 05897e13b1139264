#pragma once
// Config → Snapshot: validate, load the stores, build the schemes and the route table. The gateway's
// entry points for startup and reload.

#include <cstdint>
#include <memory>
#include <string>

#include <boost/system/result.hpp>

#include "authgate/clock.hpp"
#include "config/compile_state.hpp"
#include "config/model.hpp"
#include "config/problem.hpp"
#include "config/snapshot.hpp"

namespace authgate::config {

using SnapshotResult = boost::system::result<std::shared_ptr<const Snapshot>, Problems>;

/// Validates `config` (normalising it, see validate()), loads every store (stamped with `generation`),
/// builds one scheme per realm and the compiled routes. On failure: every error and warning found,
/// including store-file errors at their own file:line:col. On success the snapshot's `warnings` hold the
/// warnings. For in-code configs (the demo) as well as loaded ones. Never throws for bad input.
/// Bearer realms' local keys are loaded here and checked against their algorithms; `clock` (default: the
/// system clock) is what their token checks (exp, nbf, iat) and the verify cache's expiry read: tests
/// pin it. It is kept in Snapshot::clock. `connection`: whether a `state.redis` section opens (or reuses)
/// the process's Redis store; offline keeps the snapshot's state in memory and connects nowhere.
SnapshotResult compile(Config config, std::uint64_t generation, std::shared_ptr<const Clock> clock = nullptr,
                       StateConnection connection = StateConnection::open);

/// load_yaml(path) then compile(). For startup, `authgate check` and every reload: on failure the caller
/// keeps serving its previous snapshot and logs the problems. When the loader finds problems, what it
/// could read is still validated (and its stores loaded), so one run reports every problem, sorted by
/// position. `authgate check` passes StateConnection::offline (see compile()).
SnapshotResult load_snapshot(const std::string& path, std::uint64_t generation,
                             std::shared_ptr<const Clock> clock = nullptr,
                             StateConnection connection = StateConnection::open);

}  // namespace authgate::config
