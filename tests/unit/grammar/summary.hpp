#pragma once
// One-line spellings of parse results so test tables can state the expected result as a string:
//   `Basic {realm="foo", charset="UTF-8"} | NTLM <abc==>`   or   `error:duplicate_param@19`.
// Bytes outside printable ASCII appear as \xHH, '"' and '\' are escaped.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::grammar::test {

std::string summary(const ParseError& error);
std::string summary(const std::vector<AuthParam>& params);
std::string summary(const Challenge& challenge);
std::string summary(const std::vector<Challenge>& challenges);
std::string summary(const Credentials& credentials);

template <class T>
std::string summary(const ParseResult<T>& result) {
  return result ? summary(*result) : summary(result.error());
}

/// One row of a grammar table: the field value, its expected summary() and the sentence that says why.
struct Case {
  std::string_view name;
  std::string_view input;
  std::string_view expected;
  std::string_view why;
};

/// gtest prints a failing row by its name rather than as bytes.
inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

/// Test names come from the table, so a failure reads as the case's sentence.
template <class T>
std::string case_name(const ::testing::TestParamInfo<T>& param_info) {
  return std::string(param_info.param.name);
}

}  // namespace authgate::grammar::test
