#pragma once
// One-line spellings of parse results so test tables can state the expected result as a string:
//   `Basic {realm="foo", charset="UTF-8"} | NTLM <abc==>`   or   `error:duplicate_param@19`.
// Bytes outside printable ASCII appear as \xHH, '"' and '\' are escaped.

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

/// Test names come from the table, so a failure reads as the case's sentence.
template <class T>
std::string case_name(const ::testing::TestParamInfo<T>& param_info) {
  return std::string(param_info.param.name);
}

}  // namespace authgate::grammar::test
