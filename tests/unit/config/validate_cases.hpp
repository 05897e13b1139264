#pragma once
// The validate() case table machinery: a base config, edits of it, and where a problem must point.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "config/load_yaml.hpp"
#include "config/validate.hpp"
#include "config_test_util.hpp"

namespace authgate::config::testing {

// Each case edits this text and names the text its problem must point at.
inline constexpr const char* base_yaml =
    "listeners:\n"                                                     // 1
    "  - port: 8080\n"                                                 // 2
    "upstreams:\n"                                                     // 3
    "  app: {url: \"http://127.0.0.1:3000\"}\n"                        // 4
    "stores:\n"                                                        // 5
    "  staff: {path: users.htpasswd, groups: groups.txt}\n"            // 6
    "realms:\n"                                                        // 7
    "  staff: {scheme: basic, realm: \"Staff area\", store: staff}\n"  // 8
    "routes:\n"                                                        // 9
    "  - name: public\n"                                               // 10
    "    match: {path: /public}\n"                                     // 11
    "    upstream: app\n"                                              // 12
    "    auth: anonymous\n"                                            // 13
    "  - name: app\n"                                                  // 14
    "    upstream: app\n"                                              // 15
    "    auth: {realms: [staff]}\n";                                   // 16

inline std::string edit(std::vector<std::pair<std::string, std::string>> edits) {
  std::string text = base_yaml;
  for (const auto& [from, to] : edits) {
    const auto at = text.find(from);
    if (at == std::string::npos) return "edit target not found: " + from;
    text.replace(at, from.size(), to);
  }
  return text;
}
inline std::string edit(const std::string& from, const std::string& to) { return edit({{from, to}}); }

struct Case {
  std::string name;
  std::string yaml;
  Severity severity;
  std::string expected;  // substring of the formatted problem
  std::string at;        // the problem is located where this text first occurs in `yaml` ("" = no position)
  std::string why;
};

inline SourcePos position_in(const std::string& text, const std::string& needle) {
  if (needle.empty()) return SourcePos{};
  const auto at = text.find(needle);
  if (at == std::string::npos) return SourcePos{"", -1, -1};
  const auto line_start = text.rfind('\n', at);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  const int column = static_cast<int>(at - (line_start == std::string::npos ? 0 : line_start + 1)) + 1;
  return SourcePos{"", line, column};
}

inline Problems validate_text(const std::string& yaml) {
  auto loaded = load_yaml_string(yaml, data_dir() + "/case.yaml");
  if (!loaded) return loaded.error();
  return validate(*loaded);
}

inline void expect_case(const Case& c) {
  const Problems problems = validate_text(c.yaml);
  const auto problem = find_problem(problems, c.expected);
  ASSERT_TRUE(problem.has_value()) << c.why << "\nexpected '" << c.expected << "' in:\n"
                                   << all_text(problems);
  EXPECT_EQ(problem->severity, c.severity) << problem->to_string();
  const SourcePos expected = position_in(c.yaml, c.at);
  EXPECT_EQ(problem->pos.line, expected.line) << problem->to_string() << " — expected at '" << c.at << "'";
  EXPECT_EQ(problem->pos.column, expected.column)
      << problem->to_string() << " — expected at '" << c.at << "'";
  if (c.severity == Severity::warning) {
    EXPECT_FALSE(has_errors(problems)) << all_text(problems);
  }
}

}  // namespace authgate::config::testing
