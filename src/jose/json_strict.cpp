// Boost.JSON's own value-building handler plus a count of the members the parser saw. value_stack keeps
// only the last of equal names, so the built objects hold fewer members than were seen exactly when a
// name was repeated somewhere: one walk of the result detects duplicates without remembering any name.
#include "jose/json_strict.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <exception>

namespace authgate::jose::detail {
namespace {

namespace json = boost::json;

class CountingHandler {
 public:
  // Bounds well above any legitimate JOSE header, claims set or JWKS; callers bound the input size.
  static constexpr std::size_t max_object_size = 4096;
  static constexpr std::size_t max_array_size = 16384;
  static constexpr std::size_t max_key_size = 4096;
  static constexpr std::size_t max_string_size = 1 << 20;

  json::value_stack st;
  std::size_t members_seen = 0;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    members_seen += n;
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

json::parse_options strict_options() {
  json::parse_options options;  // RFC 8259 only: comments, trailing commas, bad UTF-8 all rejected
  options.max_depth = max_json_depth;
  return options;
}

// Members held by the objects of `value`; depth is bounded by the parser's max_depth.
std::size_t members_kept(const json::value& value) {
  std::size_t count = 0;
  if (const json::object* object = value.if_object()) {
    count += object->size();
    for (const auto& member : *object) count += members_kept(member.value());
  } else if (const json::array* array = value.if_array()) {
    for (const json::value& element : *array) count += members_kept(element);
  }
  return count;
}

}  // namespace

std::optional<json::object> parse_json_object(std::string_view text, json::storage_ptr storage) {
  try {
    // One parser per thread: its internal stacks are reused instead of reallocated for every token.
    thread_local json::basic_parser<CountingHandler> parser(strict_options());
    parser.reset();
    CountingHandler& handler = parser.handler();
    handler.members_seen = 0;
    handler.st.reset(std::move(storage));
    json::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec || !parser.done() || used != text.size()) return std::nullopt;
    json::value value = handler.st.release();
    if (!value.is_object() || members_kept(value) != handler.members_seen) return std::nullopt;
    return std::move(value.get_object());
  } catch (const std::exception&) {
    return std::nullopt;  // allocation failure: treated as unparseable, never propagated
  }
}

}  // namespace authgate::jose::detail
