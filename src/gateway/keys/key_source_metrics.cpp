#include "gateway/keys/key_source_metrics.hpp"

#include "gateway/ops/metrics.hpp"

namespace authgate::gateway {
namespace {

// At most this many realms get their own series; a config that generates realm names cannot grow memory.
constexpr std::size_t max_realms = 1000;

std::string realm_label(std::string_view realm) {
  std::string labels = "realm=\"";
  append_label_value(labels, realm);
  labels.push_back('"');
  return labels;
}

}  // namespace

void KeySourceMetrics::count_fetch(std::string_view realm, bool ok) {
  const std::lock_guard lock(mutex_);
  auto it = realms_.find(realm);
  if (it == realms_.end()) {
    if (realms_.size() >= max_realms) return;
    it = realms_.emplace(std::string(realm), Series{}).first;
  }
  ++(ok ? it->second.ok : it->second.error);
}

void KeySourceMetrics::set_keys(std::string_view realm, std::uint64_t keys) {
  const std::lock_guard lock(mutex_);
  auto it = realms_.find(realm);
  if (it == realms_.end()) {
    if (realms_.size() >= max_realms) return;
    it = realms_.emplace(std::string(realm), Series{}).first;
  }
  it->second.keys = keys;
}

void KeySourceMetrics::render(std::string& out) const {
  const std::lock_guard lock(mutex_);
  out.append(
      "# HELP authgate_jwks_fetch_total Remote JWKS refreshes (discovery + JWKS + parse), by realm and "
      "result.\n# TYPE authgate_jwks_fetch_total counter\n");
  for (const auto& [realm, series] : realms_) {
    const std::string labels = realm_label(realm);
    out.append("authgate_jwks_fetch_total{").append(labels).append(",result=\"ok\"} ");
    out.append(std::to_string(series.ok)).append("\n");
    out.append("authgate_jwks_fetch_total{").append(labels).append(",result=\"error\"} ");
    out.append(std::to_string(series.error)).append("\n");
  }
  out.append(
      "# HELP authgate_jwks_keys Keys in force for a remote-key realm (the last good set).\n"
      "# TYPE authgate_jwks_keys gauge\n");
  for (const auto& [realm, series] : realms_) {
    out.append("authgate_jwks_keys{").append(realm_label(realm)).append("} ");
    out.append(std::to_string(series.keys)).append("\n");
  }
}

}  // namespace authgate::gateway
