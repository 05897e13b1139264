#pragma once
// The fields the gateway adds to a forwarded request, collected as (name, value) and written once as
// wire bytes ("Name: value\r\n" each) after the head's own fields. Inserting each into Beast's field
// container cost ≈ 250 instructions (an element, a list link, a case-insensitive tree insert) for bytes
// that are only ever serialized; the common request (no body) now writes them straight into its head
// bytes (head_bytes.hpp), and one whose body streams through Beast's serializer gets them inserted.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/head_arena.hpp"

namespace authgate::gateway {

class FieldLines {
 public:
  static constexpr std::size_t capacity = 9;  // identity (3), X-Request-Id, X-Forwarded-* (3), Forwarded, Via

  /// `name` and `value` must outlive write()/insert_into(); both are checked by their producers (header
  /// names are tokens from the config, values were validated or are the gateway's own).
  void add(std::string_view name, std::string_view value);
  /// One field whose value is `list` joined by ',' (the groups header: see join_groups()).
  void add_joined(std::string_view name, const std::vector<std::string>& list);

  /// The wire bytes, allocated in `arena`: they live as long as the request's head.
  std::string_view write(HeadArena& arena) const;
  /// Each field inserted at the end of `fields`, in order.
  void insert_into(Fields& fields) const;

 private:
  struct Line {
    std::string_view name;
    std::string_view value;
    const std::vector<std::string>* joined = nullptr;  // the value, when it is a list
  };
  std::array<Line, capacity> lines_{};
  std::size_t count_ = 0;

  void push(Line line);
};

}  // namespace authgate::gateway
