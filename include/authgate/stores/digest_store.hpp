#pragma once
// Where Digest (RFC 7616) secrets live: one HA1 = H(user ":" realm ":" password) per hash family, per user
// and realm (§3.4.2: an HA1 is only valid in its realm, and no plaintext password is kept).
//
// One file, two line formats, decided per line:
//   user:realm:0123…ef                              Apache htdigest: an MD5 HA1 (32 hex), as htdigest writes
//   user:realm:SHA-256=<64 hex>,SHA-512-256=<64 hex>[,MD5=<32 hex>]         authgate: tagged HA1s
// Tags are case-insensitive and may come in any order, each at most once, any non-empty subset; hex may be
// upper case (stored lower). Like Apache (ap_cfg_getline + mod_authn_file's get_realm_hash) we ignore blank
// lines and lines whose first non-blank byte is '#', strip surrounding whitespace and a CR before LF, and
// ignore anything after a third ':'. Stricter than Apache: a broken line (see parse_digest_store) refuses
// the whole file, so the caller keeps its previous snapshot. Editing: authgate/stores/digest_edit.hpp.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/system/result.hpp>

#include "authgate/stores/load_error.hpp"

namespace authgate::stores {

/// The hash family of an RFC 7616 §3.3 algorithm: MD5 and MD5-sess share the MD5 HA1, and so on (the
/// -sess HA1 is derived from the stored one per session, §3.4.2). Values index DigestRecord::ha1.
enum class DigestHash : unsigned char { md5, sha256, sha512_256 };

inline constexpr std::array<DigestHash, 3> all_digest_hashes{DigestHash::md5, DigestHash::sha256,
                                                             DigestHash::sha512_256};

/// The file's tag: "MD5", "SHA-256", "SHA-512-256".
std::string_view to_string(DigestHash hash) noexcept;

/// The hash a tag names, compared case-insensitively ("sha-256" too), or nullopt.
std::optional<DigestHash> parse_digest_hash(std::string_view tag) noexcept;

/// Hex characters of one HA1: 32 for MD5, 64 for SHA-256 and SHA-512-256.
std::size_t ha1_hex_size(DigestHash hash) noexcept;

struct DigestRecord {
  std::string user;                // UTF-8 bytes as stored, compared exactly (case-sensitive)
  std::string realm;               // likewise
  std::array<std::string, 3> ha1;  // lower-case hex, indexed by DigestHash; empty = not stored
  int line = 0;                    // where it was read, for messages (0 for records not from a file)

  /// The stored HA1 for `hash`, or an empty view.
  std::string_view ha1_hex(DigestHash hash) const noexcept { return ha1[static_cast<std::size_t>(hash)]; }
};

/// Bounds on a digest file; a file beyond them is refused whole.
struct DigestLimits {
  std::size_t max_file_bytes = 64u << 20;
  std::size_t max_line_bytes = 8192;
  std::size_t max_name_bytes = 255;  // user and realm each (htdigest's own limit)
  std::size_t max_records = 1'000'000;
};

/// An immutable snapshot of a digest file: a reload builds a new store with a higher generation, so
/// readers never lock. Every member is thread-safe. The HA1s are wiped (OPENSSL_cleanse) on destruction:
/// each one is as good as the password in its realm.
class DigestStore {
 public:
  /// `records` must have unique (user, realm) pairs (parse_digest_store checks; otherwise the first
  /// wins). `dummy` is make_dummy_digest_record()'s.
  DigestStore(std::vector<DigestRecord> records, DigestRecord dummy, std::uint64_t generation);
  ~DigestStore();
  DigestStore(const DigestStore&) = delete;  // the index points into records_
  DigestStore& operator=(const DigestStore&) = delete;

  /// The record of `user` in `realm` (both exact bytes), or nullptr. O(1). Never a record of another
  /// realm: an HA1 must not be used outside its realm (RFC 7616 §3.4.2).
  const DigestRecord* find(std::string_view user, std::string_view realm) const noexcept;

  /// Every record in file order (for indexes built elsewhere, e.g. RFC 7616 §3.4.4 userhash).
  std::span<const DigestRecord> records() const noexcept { return records_; }

  /// The first record (in file order) of `realm` without an HA1 for `hash`, or nullptr when every
  /// record of the realm has one (or the realm has none): `authgate check` refuses a realm offering an
  /// algorithm of that family with this record's line. O(records).
  const DigestRecord* realms_missing(DigestHash hash, std::string_view realm) const noexcept;

  /// A record with a random HA1 for every hash (empty user and realm): a response computed against it
  /// for an unknown user costs what a wrong password costs, and never matches (no user enumeration by
  /// timing).
  const DigestRecord& dummy() const noexcept { return dummy_; }

  /// Identifies this snapshot's content; differs after every reload.
  std::uint64_t generation() const noexcept { return generation_; }

 private:
  struct Key {
    std::string_view user, realm;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };

  std::vector<DigestRecord> records_;
  std::unordered_map<Key, std::size_t, KeyHash> index_;  // views into records_, which never reallocates
  DigestRecord dummy_;
  std::uint64_t generation_;
};

/// A record with a fresh random HA1 (OpenSSL RAND_bytes) for every hash. Fails only if randomness fails.
boost::system::result<DigestRecord> make_dummy_digest_record();

/// Parses digest-file content into a store stamped with `generation`; `source_name` is used in error
/// messages only. Refused, as LoadError `source_name:line:column: reason` (never quoting an HA1):
/// a line without two ':', an empty user or realm, a user or realm longer than max_name_bytes, with a
/// control character (C0, DEL, C1) or U+FEFF, invalid UTF-8, or whitespace at either end; an HA1 field that
/// is neither 32 hex digits nor a list of TAG=hex with known tags, each once, of the right length; a (user,
/// realm) pair seen before (both lines named); a UTF-8 byte order mark; a NUL byte, a trailing
/// '\' (Apache would join lines), an overlong line or file, more than max_records records.
boost::system::result<std::shared_ptr<const DigestStore>, LoadError> parse_digest_store(
    std::string_view text, std::string source_name, std::uint64_t generation,
    const DigestLimits& limits = {});

/// Reads (within max_file_bytes) and parses the file at `path`; the text read is wiped afterwards.
boost::system::result<std::shared_ptr<const DigestStore>, LoadError> load_digest_store(
    const std::string& path, std::uint64_t generation, const DigestLimits& limits = {});

}  // namespace authgate::stores
