#pragma once
// Metrics of the remote key sources (JWKS over HTTPS): fetches by result and keys in force, per realm.
// Plain C++; thread-safe. Labels are bounded by the config's realm names.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace authgate::gateway {

class KeySourceMetrics {
 public:
  /// One JWKS refresh of `realm` finished (discovery and JWKS fetch, parse).
  void count_fetch(std::string_view realm, bool ok);
  /// The number of keys now in force for `realm`.
  void set_keys(std::string_view realm, std::uint64_t keys);
  /// Appends authgate_jwks_fetch_total{realm,result} and authgate_jwks_keys{realm} (families always
  /// present, series per realm seen).
  void render(std::string& out) const;

 private:
  struct Series {
    std::uint64_t ok = 0, error = 0, keys = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Series, std::less<>> realms_;
};

}  // namespace authgate::gateway
