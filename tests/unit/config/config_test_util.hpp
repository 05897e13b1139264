#pragma once
// Helpers shared by the config unit tests.

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "config/problem.hpp"

namespace authgate::config::testing {

inline std::string data_dir() { return AUTHGATE_TEST_DATA_DIR "/config"; }
inline std::string repo_dir() { return AUTHGATE_TEST_DATA_DIR "/../.."; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The first problem whose formatted text contains `needle` (a copy: result::error() returns by value).
inline std::optional<Problem> find_problem(const Problems& problems, const std::string& needle) {
  const auto it = std::find_if(problems.begin(), problems.end(), [&](const Problem& p) {
    return p.to_string().find(needle) != std::string::npos;
  });
  if (it == problems.end()) return std::nullopt;
  return *it;
}

inline std::string all_text(const Problems& problems) {
  std::string out;
  for (const auto& p : problems) out += p.to_string() + "\n";
  return out;
}

/// A small valid configuration: one listener, one upstream, one anonymous route.
inline constexpr const char* minimal_yaml =
    "listeners:\n"
    "  - port: 8080\n"
    "upstreams:\n"
    "  app: {url: \"http://127.0.0.1:3000\"}\n"
    "routes:\n"
    "  - name: public\n"
    "    upstream: app\n"
    "    auth: anonymous\n";

}  // namespace authgate::config::testing
