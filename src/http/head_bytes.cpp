#include "http/head_bytes.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace authgate::gateway {
namespace {

constexpr std::size_t version_bytes = 8;  // "HTTP/1.1"

char* put(char* out, std::string_view text) {
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

char* put_version(char* out, unsigned version) {
  out = put(out, "HTTP/");
  *out++ = static_cast<char>('0' + version / 10);
  *out++ = '.';
  *out++ = static_cast<char>('0' + version % 10);
  return out;
}

std::size_t fields_size(const Fields& fields) {
  std::size_t size = 2;  // the empty line
  for (const auto& field : fields) size += field.name_string().size() + 2 + field.value().size() + 2;
  return size;
}

/// The whole "Name: value\r\n" line when the field holds it in one piece, as Beast lays out an element
/// (its serializer writes the line from there); empty when it does not, and the line is put piece by piece.
std::string_view whole_line(const Fields::value_type& field) noexcept {
  const auto name = field.name_string();
  const auto value = field.value();
  if (value.data() != name.data() + name.size() + 2) return {};
  const std::string_view line(name.data(), name.size() + 2 + value.size() + 2);
  const bool framed = line.substr(name.size(), 2) == ": " && line.substr(line.size() - 2) == "\r\n";
  return framed ? line : std::string_view{};
}

char* put_fields(char* out, const Fields& fields, std::string_view more_fields) {
  for (const auto& field : fields) {
    if (const auto line = whole_line(field); !line.empty()) {
      out = put(out, line);  // one copy per field, not four
      continue;
    }
    out = put(out, field.name_string());
    out = put(out, ": ");
    out = put(out, field.value());
    out = put(out, "\r\n");
  }
  return put(put(out, more_fields), "\r\n");
}

std::size_t start_line_size(const RequestHead& head) {
  return head.method_string().size() + 1 + head.target().size() + 1 + version_bytes + 2;
}

char* put_start_line(char* out, const RequestHead& head) {
  out = put(out, head.method_string());
  *out++ = ' ';
  out = put(out, head.target());
  *out++ = ' ';
  out = put_version(out, head.version());
  return put(out, "\r\n");
}

struct StatusDigits {
  std::array<char, 10> text{};
  std::size_t size = 0;
  explicit StatusDigits(unsigned status)
      : size(static_cast<std::size_t>(std::to_chars(text.begin(), text.end(), status).ptr - text.begin())) {}
  std::string_view view() const { return {text.data(), size}; }
};

std::size_t start_line_size(const ResponseHead& head) {
  return version_bytes + 1 + StatusDigits{head.result_int()}.size + 1 + head.reason().size() + 2;
}

char* put_start_line(char* out, const ResponseHead& head) {
  out = put_version(out, head.version());
  *out++ = ' ';
  out = put(out, StatusDigits{head.result_int()}.view());
  *out++ = ' ';
  out = put(out, head.reason());
  return put(out, "\r\n");
}

template <class Head>
std::size_t head_size(const Head& head, std::string_view more_fields) {
  return start_line_size(head) + fields_size(head) + more_fields.size();
}

template <class Head>
void put_head(char* out, const Head& head, std::string_view more_fields) {
  put_fields(put_start_line(out, head), head, more_fields);
}

template <class Head>
std::string as_string(const Head& head) {
  std::string out(head_size(head, {}), '\0');
  put_head(out.data(), head, {});
  return out;
}

template <class Head>
std::span<char> in_arena(const Head& head, std::size_t room, std::string_view more_fields) {
  HeadArena* arena = head.get_allocator().arena();
  if (arena == nullptr) throw std::logic_error{"head_bytes_in_arena: the head's fields are not in an arena"};
  const auto size = head_size(head, more_fields);
  auto* out = static_cast<char*>(arena->allocate(size + room, 1));
  put_head(out, head, more_fields);
  return {out, size + room};
}

}  // namespace

std::string head_bytes(const RequestHead& head) { return as_string(head); }
std::string head_bytes(const ResponseHead& head) { return as_string(head); }

std::span<char> head_bytes_in_arena(const RequestHead& head, std::size_t room, std::string_view more_fields) {
  return in_arena(head, room, more_fields);
}
std::span<char> head_bytes_in_arena(const ResponseHead& head, std::size_t room) {
  return in_arena(head, room, {});
}

}  // namespace authgate::gateway
