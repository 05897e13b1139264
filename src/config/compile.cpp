// compile(): the step from checked plain structs to the runtime snapshot the gateway reads.
#include "config/compile.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "authgate/schemes/basic.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "config/compile_bearer.hpp"
#include "config/compile_challenges.hpp"
#include "config/compile_digest.hpp"
#include "config/compile_error_pages.hpp"
#include "config/compile_forward_proxy.hpp"
#include "config/compile_introspection.hpp"
#include "config/load_yaml.hpp"
#include "config/syntax.hpp"
#include "config/validate.hpp"

namespace authgate::config {
namespace {

using StoreMap = std::map<std::string, std::shared_ptr<const stores::PasswordStore>, std::less<>>;

// Loads each htpasswd store whose files validate() found readable; a file error is reported where it
// is (users.htpasswd:3:7), under the store's config path.
StoreMap load_stores(const Config& config, std::uint64_t generation, Problems& problems) {
  StoreMap loaded;
  for (const Store& store : config.stores) {
    if (store.type != "htpasswd" || unreadable_file_problem(store.path)) continue;
    if (!store.groups_path.empty() && unreadable_file_problem(store.groups_path)) continue;
    auto result = stores::load_htpasswd(store.path, store.groups_path, generation);
    if (!result) {
      const stores::LoadError& e = result.error();
      problems.push_back(
          Problem{Severity::error, SourcePos{e.file, e.line, e.column}, "stores." + store.name, e.reason});
      continue;
    }
    loaded.emplace(store.name, std::move(*result));
  }
  return loaded;
}

void add_watched(std::vector<std::string>& files, const std::string& path) {
  if (path.empty() || path == "-") return;
  if (std::find(files.begin(), files.end(), path) == files.end()) files.push_back(path);
}

std::vector<std::string> watched_files_of(const Config& config) {
  std::vector<std::string> files;
  add_watched(files, config.source_file);
  for (const auto& store : config.stores) {
    add_watched(files, store.path);
    add_watched(files, store.groups_path);
  }
  for (const auto& listener : config.listeners) {
    if (!listener.tls) continue;
    add_watched(files, listener.tls->cert_file);
    add_watched(files, listener.tls->key_file);
  }
  for (const auto& upstream : config.upstreams) add_watched(files, upstream.tls.ca_file);
  // An edited error page is served after the reload its change triggers.
  for (const auto& page : config.error_pages) add_watched(files, page.file);
  for (const auto& route : config.routes) {
    for (const auto& page : route.error_pages) add_watched(files, page.file);
  }
  detail::add_bearer_files(config, files);  // key rotation by replacing the file reloads
  detail::add_introspection_files(config, files);
  detail::add_digest_files(config, files);
  return files;
}

void build_realms(Snapshot& snapshot, const StoreMap& stores, const detail::DigestStoreMap& digest_stores,
                  const detail::KeySetMap& keys) {
  snapshot.realms.reserve(snapshot.config.realms.size());  // routes point into it: no reallocation later
  const auto kept_claims = detail::claims_in_use(snapshot.config);
  for (const Realm& realm : snapshot.config.realms) {
    switch (*scheme_kind(realm.scheme)) {  // validate() admitted only known schemes
      case SchemeKind::bearer:
        snapshot.realms.push_back(
            realm.bearer.introspection
                ? detail::compile_introspection_realm(realm, snapshot.clock)  // RFC 7662
                : detail::compile_bearer_realm(realm, keys, snapshot.clock, kept_claims));
        break;
      case SchemeKind::basic: {
        schemes::BasicOptions options{realm.realm, realm.allow_plaintext, {}};
        snapshot.realms.push_back(
            CompiledRealm{realm.name, schemes::make_basic_scheme(options, stores.find(realm.store)->second),
                          nullptr, nullptr, nullptr});
        break;
      }
      case SchemeKind::digest:
        snapshot.realms.push_back(detail::compile_digest_realm(realm, digest_stores, snapshot.state));
        break;
    }
  }
}

CompiledRoute build_route(const Snapshot& snapshot, const Route& route) {
  CompiledRoute compiled;
  compiled.source = &route;
  ForwardTo forward;
  const auto& upstreams = snapshot.config.upstreams;
  for (std::size_t i = 0; i < upstreams.size(); ++i) {
    if (upstreams[i].name != route.upstream) continue;
    forward.upstream = &upstreams[i];
    forward.upstream_url = &snapshot.upstream_urls[i];
  }
  compiled.action = forward;
  compiled.requirement.anonymous = route.anonymous;
  compiled.requirement.realms = route.realms;
  compiled.requirement.users = route.users;
  compiled.requirement.groups = route.groups;
  compiled.requirement.scopes = route.scopes;
  for (const auto& [name, values] : route.claims) compiled.requirement.claims.push_back({name, values});
  for (const auto& name : route.realms) {
    for (const auto& realm : snapshot.realms) {
      if (realm.name == name) compiled.realms.push_back(&realm);
    }
  }
  for (const auto* realm : compiled.realms) compiled.schemes.push_back(realm->scheme.get());
  compiled.token_locations = {route.token_in_query, route.token_in_form};
  compiled.pass_authorization = route.pass_authorization;
  compiled.max_body_bytes = route.max_body_bytes.value_or(snapshot.config.limits.max_body_bytes);
  if (snapshot.config.throttle) compiled.throttle = &*snapshot.config.throttle;
  compiled.state = snapshot.state.get();
  compiled.fixed_challenges = detail::fixed_challenges_of(compiled.schemes);
  return compiled;
}

// True when `problem` is at or below a path some problem of `reported` is about.
bool is_under_reported_path(const Problem& problem, const Problems& reported) {
  return std::any_of(reported.begin(), reported.end(), [&](const Problem& r) {
    if (r.path.empty() || !problem.path.starts_with(r.path)) return false;
    return problem.path.size() == r.path.size() || problem.path[r.path.size()] == '.' ||
           problem.path[r.path.size()] == '[';
  });
}

}  // namespace

SnapshotResult compile(Config config, std::uint64_t generation, std::shared_ptr<const Clock> clock,
                       StateConnection connection) {
  Problems problems = validate(config);
  // Stores and keys load even when validation failed, so one `authgate check` reports their errors too.
  const StoreMap stores = load_stores(config, generation, problems);
  const detail::DigestStoreMap digest_stores = detail::load_digest_stores(config, generation, problems);
  const detail::KeySetMap keys = detail::load_bearer_keys(config, problems);
  const detail::PageFiles pages = detail::load_error_pages(config, problems);
  if (has_errors(problems)) return problems;
  // Chosen once per process and config, not per snapshot: a reload keeps the store and its counts.
  auto state = detail::state_store_for(config, connection, problems);
  if (!state) return problems;

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->config = std::move(config);
  snapshot->generation = generation;
  snapshot->clock = clock ? std::move(clock) : std::make_shared<SystemClock>();
  for (const auto& [name, store] : stores) snapshot->stores.push_back(store);
  for (const auto& upstream : snapshot->config.upstreams) {
    snapshot->upstream_urls.push_back(*parse_upstream_url(upstream.url));  // validate() parsed it already
  }
  // Chosen here, once: the request path compares no strings for it.
  snapshot->unmatched_status = snapshot->config.server.unmatched == "403" ? 403 : 404;
  snapshot->state = std::move(state);
  build_realms(*snapshot, stores, digest_stores, keys);
  snapshot->error_pages = detail::merge_error_pages(snapshot->config.error_pages, {}, pages);
  snapshot->routes.reserve(snapshot->config.routes.size());
  for (const Route& route : snapshot->config.routes) {
    snapshot->routes.push_back(build_route(*snapshot, route));
    snapshot->routes.back().error_pages =
        detail::merge_error_pages(route.error_pages, snapshot->config.error_pages, pages);
  }
  detail::build_forward_proxies(*snapshot);
  detail::build_forward_auths(*snapshot);
  snapshot->watched_files = watched_files_of(snapshot->config);
  for (const Problem& problem : problems) snapshot->warnings.push_back(problem.to_string());
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

SnapshotResult load_snapshot(const std::string& path, std::uint64_t generation,
                             std::shared_ptr<const Clock> clock, StateConnection connection) {
  LoadReport report = read_yaml(path);
  if (!has_errors(report.problems)) {
    return compile(std::move(report.config), generation, std::move(clock), connection);
  }
  if (!report.readable) return std::move(report.problems);
  // Check what could be read too, so one run reports every problem (values the loader refused keep
  // their defaults; problems under a path the loader already complained about would only echo it).
  Problems problems = std::move(report.problems);
  Problems more = validate(report.config);
  load_stores(report.config, generation, more);
  detail::load_digest_stores(report.config, generation, more);
  detail::load_bearer_keys(report.config, more);
  for (auto& problem : more) {
    if (!is_under_reported_path(problem, problems)) problems.push_back(std::move(problem));
  }
  std::stable_sort(problems.begin(), problems.end(), [&](const Problem& a, const Problem& b) {
    const bool a_other = a.pos.file != path;
    const bool b_other = b.pos.file != path;
    return std::tie(a_other, a.pos.line, a.pos.column) < std::tie(b_other, b.pos.line, b.pos.column);
  });
  return problems;
}

}  // namespace authgate::config
