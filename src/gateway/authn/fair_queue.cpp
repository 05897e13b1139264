#include "gateway/authn/fair_queue.hpp"

#include <algorithm>
#include <utility>

namespace authgate::gateway {
namespace {

/// Jobs served before the one at `position` of a sub-queue, when `others` (name → jobs waiting) take
/// turns with it one job at a time: its own `position`, and at most position + 1 of each other.
template <typename Others, typename Length>
std::size_t ahead_in_turns(std::size_t position, const std::string& self, const Others& others,
                           Length length) {
  std::size_t ahead = position;
  for (const auto& [name, queue] : others) {
    if (name != self) ahead += std::min(length(queue), position + 1);
  }
  return ahead;
}

}  // namespace

void FairQueue::push(const FairKey& key, Job job) {
  auto [client, new_client] = clients_.try_emplace(key.client);
  if (new_client) turns_.push_back(key.client);  // a newcomer waits one turn of every client waiting
  auto [user, new_user] = client->second.users.try_emplace(key.user);
  if (new_user) client->second.turns.push_back(key.user);
  user->second.push_back(std::move(job));
  ++client->second.size;
  ++size_;
}

FairQueue::Job FairQueue::pop() {
  std::string client_name = std::move(turns_.front());
  turns_.pop_front();
  const auto client = clients_.find(client_name);
  auto& turns = client->second.turns;
  std::string user_name = std::move(turns.front());
  turns.pop_front();
  const auto user = client->second.users.find(user_name);
  Job job = std::move(user->second.front());
  user->second.pop_front();
  --size_;
  if (user->second.empty()) {
    client->second.users.erase(user);
  } else {
    turns.push_back(std::move(user_name));
  }
  if (--client->second.size == 0) {
    clients_.erase(client);
  } else {
    turns_.push_back(std::move(client_name));
  }
  return job;
}

std::size_t FairQueue::ahead_of(const FairKey& key) const {
  const auto client = clients_.find(key.client);
  std::size_t in_client = 0;  // the client's own jobs served before the new one
  if (client != clients_.end()) {
    const auto& users = client->second.users;
    const auto user = users.find(key.user);
    const std::size_t position = user != users.end() ? user->second.size() : 0;
    in_client = ahead_in_turns(position, key.user, users, [](const auto& jobs) { return jobs.size(); });
  }
  return ahead_in_turns(in_client, key.client, clients_, [](const Client& c) { return c.size; });
}

}  // namespace authgate::gateway
