#include "http/head_bytes.hpp"

namespace authgate::gateway {
namespace {

constexpr std::size_t typical_head_bytes = 512;

void append_version(std::string& out, unsigned version) {
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
}

void append_fields(std::string& out, const Fields& fields) {
  for (const auto& field : fields) {
    out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace

std::string head_bytes(const RequestHead& head) {
  std::string out;
  out.reserve(typical_head_bytes);
  out.append(head.method_string()).append(" ").append(head.target()).append(" ");
  append_version(out, head.version());
  out.append("\r\n");
  append_fields(out, head);
  return out;
}

std::string head_bytes(const ResponseHead& head) {
  std::string out;
  out.reserve(typical_head_bytes);
  append_version(out, head.version());
  out.append(" ").append(std::to_string(head.result_int())).append(" ").append(head.reason()).append("\r\n");
  append_fields(out, head);
  return out;
}

}  // namespace authgate::gateway
