// Digest-file content → DigestRecords → an immutable store with an O(1) (user, realm) index.
#include "authgate/stores/digest_store.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <functional>
#include <span>
#include <utility>

#include "authgate/grammar/ascii.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "stores/digest_line.hpp"
#include "stores/line_reader.hpp"

namespace authgate::stores {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

std::size_t hash_pair(std::string_view user, std::string_view realm) noexcept {
  const std::hash<std::string_view> hash;
  return hash(user) ^ (hash(realm) * 0x9e3779b97f4a7c15ULL);
}

/// Wipes the HA1s of `records`: each is as good as the password in its realm (RFC 7616 §5.1), so none is
/// left in freed memory.
void wipe(std::span<DigestRecord> records) noexcept {
  for (auto& record : records) {
    for (auto& hex : record.ha1) OPENSSL_cleanse(hex.data(), hex.size());
  }
}

/// Records in file order, with the duplicate and count checks, while the lines are read.
class RecordCollector {
 public:
  RecordCollector(std::string_view file, const DigestLimits& limits) : file_(file), limits_(limits) {}
  RecordCollector(const RecordCollector&) = delete;
  RecordCollector& operator=(const RecordCollector&) = delete;
  ~RecordCollector() { wipe(records_); }  // what a refused file had read so far

  std::optional<LoadError> add(const detail::Line& line) {
    auto record = detail::parse_digest_line(file_, line, limits_.max_name_bytes);
    if (!record) return record.error();
    if (records_.size() >= limits_.max_records) {
      return error(line, "more than " + std::to_string(limits_.max_records) + " records");
    }
    // Apache's mod_authn_file silently takes the first of two lines; a duplicate is almost always a
    // mistake (an edit by hand beside htdigest's), and which password works would be a surprise.
    // The key views the file's text, which outlives the parse.
    const auto user = line.text.substr(0, record->user.size());
    const auto realm = line.text.substr(user.size() + 1, record->realm.size());
    const auto [it, inserted] = first_line_.emplace(Key{user, realm}, line.number);
    if (!inserted) {
      return error(line, "duplicate user '" + record->user + "' in realm '" + record->realm +
                             "' (first on line " + std::to_string(it->second) + ")");
    }
    records_.push_back(std::move(*record));
    return std::nullopt;
  }

  std::vector<DigestRecord> take() { return std::move(records_); }

 private:
  using Key = std::pair<std::string_view, std::string_view>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept { return hash_pair(key.first, key.second); }
  };

  LoadError error(const detail::Line& line, std::string reason) const {
    return LoadError{std::string(file_), line.number, line.column(0), std::move(reason)};
  }

  std::string_view file_;
  const DigestLimits& limits_;
  std::vector<DigestRecord> records_;
  std::unordered_map<Key, int, KeyHash> first_line_;
};

std::string random_hex(std::size_t hex_chars) {
  std::string bytes(hex_chars / 2, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
    return {};
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(hex_chars);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex += digits[byte >> 4];
    hex += digits[byte & 15];
  }
  return hex;
}

}  // namespace

std::string_view to_string(DigestHash hash) noexcept {
  switch (hash) {
    case DigestHash::md5:
      return "MD5";
    case DigestHash::sha256:
      return "SHA-256";
    case DigestHash::sha512_256:
      return "SHA-512-256";
  }
  return "?";
}

std::optional<DigestHash> parse_digest_hash(std::string_view tag) noexcept {
  for (const DigestHash hash : all_digest_hashes) {
    if (grammar::iequals(tag, to_string(hash))) return hash;
  }
  return std::nullopt;
}

std::size_t ha1_hex_size(DigestHash hash) noexcept { return hash == DigestHash::md5 ? 32 : 64; }

std::size_t DigestStore::KeyHash::operator()(const Key& key) const noexcept {
  return hash_pair(key.user, key.realm);
}

DigestStore::DigestStore(std::vector<DigestRecord> records, DigestRecord dummy, std::uint64_t generation)
    : records_(std::move(records)), dummy_(std::move(dummy)), generation_(generation) {
  index_.reserve(records_.size());
  for (std::size_t i = 0; i < records_.size(); ++i) {
    index_.emplace(Key{records_[i].user, records_[i].realm}, i);  // the first of a duplicate pair wins
  }
}

DigestStore::~DigestStore() {
  wipe(records_);
  wipe(std::span(&dummy_, 1));
}

const DigestRecord* DigestStore::find(std::string_view user, std::string_view realm) const noexcept {
  const auto it = index_.find(Key{user, realm});
  return it == index_.end() ? nullptr : &records_[it->second];
}

const DigestRecord* DigestStore::realms_missing(DigestHash hash, std::string_view realm) const noexcept {
  for (const auto& record : records_) {
    if (record.realm == realm && record.ha1_hex(hash).empty()) return &record;
  }
  return nullptr;
}

boost::system::result<DigestRecord> make_dummy_digest_record() {
  DigestRecord dummy;
  for (const DigestHash hash : all_digest_hashes) {
    auto hex = random_hex(ha1_hex_size(hash));
    if (hex.empty()) return boost::system::errc::make_error_code(boost::system::errc::io_error);
    dummy.ha1[static_cast<std::size_t>(hash)] = std::move(hex);
  }
  return dummy;
}

boost::system::result<std::shared_ptr<const DigestStore>, LoadError> parse_digest_store(
    std::string_view text, std::string source_name, std::uint64_t generation, const DigestLimits& limits) {
  // An editor's byte order mark would silently become part of the first user name, who could then
  // never sign in.
  if (text.starts_with(utf8_bom) && text.size() <= limits.max_file_bytes) {
    return LoadError{std::move(source_name), 1, 1, "UTF-8 byte order mark (save the file without it)"};
  }
  FileLimits file_limits;
  file_limits.max_file_bytes = limits.max_file_bytes;
  file_limits.max_line_bytes = limits.max_line_bytes;
  RecordCollector collector(source_name, limits);
  const auto error = detail::for_each_line(text, source_name, file_limits,
                                           [&](const detail::Line& line) { return collector.add(line); });
  if (error) return *error;
  auto dummy = make_dummy_digest_record();
  if (!dummy) {
    return LoadError{std::move(source_name), 0, 0,
                     "cannot create the dummy record: " + dummy.error().message()};
  }
  return std::make_shared<const DigestStore>(collector.take(), std::move(*dummy), generation);
}

boost::system::result<std::shared_ptr<const DigestStore>, LoadError> load_digest_store(
    const std::string& path, std::uint64_t generation, const DigestLimits& limits) {
  auto text = read_store_file(path, limits.max_file_bytes);
  if (!text) return text.error();
  auto store = parse_digest_store(*text, path, generation, limits);
  OPENSSL_cleanse(text->data(), text->size());  // the file's HA1s now live in the store only
  return store;
}

}  // namespace authgate::stores
