// parse_digest_store() on arbitrary digest-file text: never crashes, hangs or leaks; errors point inside
// the input; every record loaded is found again by its own (user, realm), has well-formed HA1s, and
// survives the editor: its formatted line parses to the same record, and upserting or deleting it in
// the text gives a file that loads with the expected content.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "authgate/stores/digest_edit.hpp"
#include "authgate/stores/digest_store.hpp"

namespace {

using authgate::stores::DigestHash;
using authgate::stores::DigestRecord;
using authgate::stores::DigestStore;

void check(bool condition) {
  if (!condition) std::abort();
}

bool is_lower_hex(std::string_view hex) {
  return hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void check_record(const DigestStore& store, const DigestRecord& record, int previous_line) {
  check(store.find(record.user, record.realm) == &record);
  check(!record.user.empty() && !record.realm.empty());
  check(record.user.find(':') == std::string::npos && record.realm.find(':') == std::string::npos);
  check(record.line > previous_line);
  bool any = false;
  for (const DigestHash hash : authgate::stores::all_digest_hashes) {
    const auto hex = record.ha1_hex(hash);
    check(hex.empty() || (hex.size() == authgate::stores::ha1_hex_size(hash) && is_lower_hex(hex)));
    any = any || !hex.empty();
    if (const auto* missing = store.realms_missing(hash, record.realm)) {
      check(missing->realm == record.realm && missing->ha1_hex(hash).empty());
      check(!hex.empty() || missing->line <= record.line);
    } else {
      check(!hex.empty());
    }
  }
  check(any);
}

/// The editor agrees with the parser: what it writes loads back, and it finds the line the parser read.
void check_edits(std::string_view text, const DigestRecord& record) {
  auto alone = authgate::stores::parse_digest_store(authgate::stores::format_digest_line(record), "line", 2);
  check(alone.has_value() && (*alone)->records().size() == 1);
  const auto& again = (*alone)->records()[0];
  check(again.user == record.user && again.realm == record.realm && again.ha1 == record.ha1);

  auto edit = authgate::stores::upsert_digest_line(text, record);
  check(edit.has_value() && edit->replaced);
  auto upserted = authgate::stores::parse_digest_store(edit->content, "upserted", 3);
  check(upserted.has_value());
  const auto* found = (*upserted)->find(record.user, record.realm);
  check(found != nullptr && found->ha1 == record.ha1 && found->line == record.line);

  auto deleted = authgate::stores::delete_digest_line(text, record.user, record.realm);
  check(deleted.has_value());
  auto without = authgate::stores::parse_digest_store(*deleted, "deleted", 4);
  check(without.has_value() && (*without)->find(record.user, record.realm) == nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto store = authgate::stores::parse_digest_store(text, "users.digest", 1);
  if (!store) {
    const auto& e = store.error();
    check(e.file == "users.digest" && e.line >= 0 && e.column >= 0 && !e.reason.empty());
    check(static_cast<std::size_t>(e.line) <= size + 1);
    (void)e.to_string();
    return 0;
  }
  const auto& s = **store;
  check(s.generation() == 1);
  for (const DigestHash hash : authgate::stores::all_digest_hashes) {
    check(s.dummy().ha1_hex(hash).size() == authgate::stores::ha1_hex_size(hash));
  }
  int previous_line = 0;
  std::size_t edited = 0;
  for (const auto& record : s.records()) {
    check_record(s, record, previous_line);
    previous_line = record.line;
    if (edited++ < 4) check_edits(text, record);  // each edit re-parses the whole text: a few suffice
  }
  return 0;
}
