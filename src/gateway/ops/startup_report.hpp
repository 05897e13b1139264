#pragma once
// What the gateway logs about its configuration: at start the routes and warnings, after a reload the
// new generation and what a reload cannot change (listeners, threads, admin, access log: restart).

#include "config/snapshot.hpp"

namespace authgate::gateway {

/// Logs the generation, one line per route (match → upstream, what it requires) and every warning.
void report_startup(const config::Snapshot& snapshot);

/// Logs a successful reload; warns about settings that only a restart applies (compared with `running`).
void report_reload(const config::Snapshot& running, const config::Snapshot& next);

}  // namespace authgate::gateway
