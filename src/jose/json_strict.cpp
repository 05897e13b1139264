// A Boost.JSON basic_parser handler that builds the value exactly like boost::json::parser does and, in
// addition, remembers the member names of every open object so a repeated name fails the parse.
#include "jose/json_strict.hpp"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <exception>
#include <string>
#include <vector>

namespace authgate::jose::detail {
namespace {

namespace json = boost::json;

class StrictHandler {
 public:
  // Bounds well above any legitimate JOSE header, claims set or JWKS; the caller bounds the input size.
  static constexpr std::size_t max_object_size = 4096;
  static constexpr std::size_t max_array_size = 16384;
  static constexpr std::size_t max_key_size = 4096;
  static constexpr std::size_t max_string_size = 1 << 20;

  json::value_stack st;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    starts_.push_back(keys_.size());
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code& ec) {
    const auto first = keys_.begin() + static_cast<std::ptrdiff_t>(starts_.back());
    std::sort(first, keys_.end());
    if (std::adjacent_find(first, keys_.end()) != keys_.end()) {
      ec = json::error::syntax;  // duplicate member name
      return false;
    }
    keys_.erase(first, keys_.end());
    starts_.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    keys_.push_back(std::move(key_));
    key_.clear();
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

 private:
  std::string key_;                  // member name being assembled from parts
  std::vector<std::string> keys_;    // member names of every open object, innermost last
  std::vector<std::size_t> starts_;  // where each open object's names begin in keys_
};

}  // namespace

std::optional<json::object> parse_json_object(std::string_view text, std::size_t max_depth) {
  try {
    json::parse_options options;  // RFC 8259 only: comments, trailing commas, bad UTF-8 all rejected
    options.max_depth = max_depth;
    json::basic_parser<StrictHandler> parser(options);
    parser.handler().st.reset();
    json::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec || !parser.done() || used != text.size()) return std::nullopt;
    json::value value = parser.handler().st.release();
    if (!value.is_object()) return std::nullopt;
    return std::move(value.get_object());
  } catch (const std::exception&) {
    return std::nullopt;  // allocation failure: treated as unparseable, never propagated
  }
}

}  // namespace authgate::jose::detail
