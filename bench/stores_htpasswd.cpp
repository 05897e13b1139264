// Loading a large htpasswd file: parse, validate every hash, build the map and the dummy hash.
#include <benchmark/benchmark.h>

#include <string>

#include "authgate/stores/htpasswd.hpp"

namespace {

/// `n` users with the same apr1 hash, and a group file putting every tenth user in "staff", 100 per line.
std::pair<std::string, std::string> make_files(int n) {
  std::string users, groups;
  for (int i = 0; i < n; ++i) {
    users += "user" + std::to_string(i) + ":$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/\n";
    if (i % 1000 == 0) groups += "\nstaff:";
    if (i % 10 == 0) groups += " user" + std::to_string(i);
  }
  return {users, groups + "\n"};
}

void BM_ParseHtpasswd(benchmark::State& state) {
  const auto [users, groups] = make_files(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto store = authgate::stores::parse_htpasswd(users, "users", groups, "groups", 1);
    if (!store) state.SkipWithError(store.error().to_string().c_str());
    benchmark::DoNotOptimize(store);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * (users.size() + groups.size())));
}
BENCHMARK(BM_ParseHtpasswd)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_FindUser(benchmark::State& state) {
  const auto [users, groups] = make_files(100000);
  const auto store = authgate::stores::parse_htpasswd(users, "users", groups, "groups", 1);
  if (!store) {
    state.SkipWithError(store.error().to_string().c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize((*store)->find("user77777"));
}
BENCHMARK(BM_FindUser);

}  // namespace
