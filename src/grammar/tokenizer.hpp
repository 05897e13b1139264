#pragma once
// A cursor over one field value with the RFC 9110 §5.6 lexical rules the auth fields use: OWS, token,
// token68 and quoted-string. It never reads past the input and every step moves forward or stops, so a
// parser built on it is linear in the input.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "authgate/grammar/auth_params.hpp"
#include "grammar/char_class.hpp"

namespace authgate::grammar::detail {

class Tokenizer {
 public:
  /// `allow_obs_fold`: treat CRLF followed by SP/HTAB as whitespace (RFC 9112 §5.2 asks user agents to
  /// replace obs-fold in responses with SP); a lone CR or LF is never whitespace.
  Tokenizer(std::string_view input, bool allow_obs_fold) noexcept
      : input_(input), obs_fold_(allow_obs_fold) {}

  std::string_view input() const noexcept { return input_; }
  std::size_t pos() const noexcept { return pos_; }
  bool at_end() const noexcept { return pos_ >= input_.size(); }
  /// The byte at pos(), or '\0' at the end (callers check at_end() where NUL matters).
  char peek() const noexcept { return at_end() ? '\0' : input_[pos_]; }
  void seek(std::size_t pos) noexcept { pos_ = pos < input_.size() ? pos : input_.size(); }
  void advance() noexcept { seek(pos_ + 1); }

  /// Skips OWS (SP / HTAB, and obs-fold if allowed); returns whether anything was skipped.
  bool skip_ows() noexcept { return skip_ows_from(pos_, pos_); }

  /// The position after OWS starting at `from` (no state change).
  std::size_t ows_end(std::size_t from) const noexcept {
    std::size_t end = from;
    skip_ows_from(from, end);
    return end;
  }

  /// Reads a possibly empty run of tchar (RFC 9110 §5.6.2) and moves past it.
  std::string_view read_token() noexcept {
    const std::size_t start = pos_;
    pos_ = token_end(start);
    return input_.substr(start, pos_ - start);
  }

  /// End of the tchar run starting at `from`.
  std::size_t token_end(std::size_t from) const noexcept { return span_end(from, cc_tchar); }

  /// End of the run of bytes of class `cls` starting at `from`. Four bytes per step: the table loads are
  /// independent, so long tokens, token68 values and quoted-strings cost about a cycle per byte.
  std::size_t span_end(std::size_t from, CharClass cls) const noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(input_.data());
    const std::size_t n = input_.size();
    while (from + 4 <= n && (char_classes[p[from]] & char_classes[p[from + 1]] & char_classes[p[from + 2]] &
                             char_classes[p[from + 3]] & cls) != 0) {
      from += 4;
    }
    while (from < n && (char_classes[p[from]] & cls) != 0) ++from;
    return from;
  }

  /// End of `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="` starting at pos() (RFC 9110
  /// §11.2), or pos() when no token68 starts here; `pads` receives the number of trailing '='.
  std::size_t token68_end(std::size_t& pads) const noexcept {
    std::size_t end = span_end(pos_, cc_token68);
    pads = 0;
    if (end == pos_) return pos_;
    while (end < input_.size() && input_[end] == '=') ++end, ++pads;
    return end;
  }

  /// At a DQUOTE: reads a quoted-string (RFC 9110 §5.6.4) into `out`, unescaping quoted-pairs.
  /// Errors: `unterminated_quote` at the opening DQUOTE; `bad_quoted_char` at a control character or at a
  /// '\' that ends the input.
  std::optional<ParseError> read_quoted(std::string& out);

 private:
  bool skip_ows_from(std::size_t from, std::size_t& end) const noexcept {
    std::size_t p = from;
    for (;;) {
      if (p < input_.size() && is_ows(input_[p])) {
        ++p;
      } else if (obs_fold_ && p + 2 < input_.size() && input_[p] == '\r' && input_[p + 1] == '\n' &&
                 is_ows(input_[p + 2])) {
        p += 3;
      } else {
        break;
      }
    }
    end = p;
    return p != from;
  }

  std::string_view input_;
  std::size_t pos_ = 0;
  bool obs_fold_;
};

}  // namespace authgate::grammar::detail
