#include "authgate/schemes/identity_fields.hpp"

#include "authgate/grammar/serialize.hpp"

namespace authgate::schemes {

std::optional<std::string_view> identity_field_problem(const Identity& identity) noexcept {
  if (identity.user.empty() || !grammar::is_field_value(identity.user)) {
    return "The user name cannot be sent in a header field";
  }
  for (const auto& group : identity.groups) {
    if (group.empty() || !grammar::is_field_value(group) || group.find(',') != std::string::npos) {
      return "A group name cannot be sent in a header field";
    }
  }
  return std::nullopt;
}

}  // namespace authgate::schemes
