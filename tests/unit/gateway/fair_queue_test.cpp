// The hashing pool's queue: one job of each client per turn, one job of each user per turn within a
// client, and ahead_of() never promising less waiting than the turns really give.
#include "gateway/authn/fair_queue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::gateway {
namespace {

struct Push {
  std::string client, user, tag;
};

/// Pushes `pushes` in order, each job noting its tag, then pops everything: the tags in serving order.
std::vector<std::string> served(const std::vector<Push>& pushes) {
  FairQueue queue;
  std::vector<std::string> order;
  for (const auto& p : pushes) {
    queue.push({p.client, p.user}, [&order, tag = p.tag] { order.push_back(tag); });
  }
  while (!queue.empty()) queue.pop()();
  return order;
}

struct OrderCase {
  const char* name;
  std::vector<Push> pushes;
  std::vector<std::string> expected;
  const char* why;
};

TEST(FairQueue, ServesOneJobOfEachClientPerTurn) {
  const std::vector<OrderCase> cases = {
      {"one client",
       {{"a", "", "a1"}, {"a", "", "a2"}, {"a", "", "a3"}},
       {"a1", "a2", "a3"},
       "alone, a client is served first in, first out"},
      {"a flood and a newcomer",
       {{"a", "", "a1"}, {"a", "", "a2"}, {"a", "", "a3"}, {"a", "", "a4"}, {"b", "", "b1"}},
       {"a1", "b1", "a2", "a3", "a4"},
       "the newcomer waits one turn of the flooder, not its whole queue"},
      {"three clients",
       {{"a", "", "a1"}, {"a", "", "a2"}, {"b", "", "b1"}, {"b", "", "b2"}, {"c", "", "c1"}},
       {"a1", "b1", "c1", "a2", "b2"},
       "round robin: one job of each client per turn"},
      {"users within a client",
       {{"a", "u", "u1"}, {"a", "u", "u2"}, {"a", "u", "u3"}, {"a", "v", "v1"}},
       {"u1", "v1", "u2", "u3"},
       "within one address, a user guessed at does not hold up another user's login"},
      {"users do not multiply a client's share",
       {{"a", "u", "u1"}, {"a", "v", "v1"}, {"a", "w", "w1"}, {"b", "", "b1"}},
       {"u1", "b1", "v1", "w1"},
       "many user names from one address still get that address one turn"},
  };
  for (const auto& c : cases) EXPECT_EQ(served(c.pushes), c.expected) << c.name << ": " << c.why;
}

struct AheadCase {
  const char* name;
  std::vector<Push> waiting;
  FairKey key;
  std::size_t expected;
  const char* why;
};

TEST(FairQueue, CountsTheJobsAheadOfANewJobUnderRoundRobin) {
  std::vector<Push> flood;
  for (int i = 0; i < 10; ++i) flood.push_back({"a", "alice", "a"});
  auto flood_and_b = flood;
  flood_and_b.push_back({"b", "bob", "b"});
  const std::vector<AheadCase> cases = {
      {"empty", {}, {"a", "alice"}, 0, "nothing waits"},
      {"the flooder's next", flood, {"a", "alice"}, 10, "a flooder waits behind its own queue"},
      {"a newcomer", flood, {"b", "bob"}, 1, "a newcomer waits at most one turn of the flooder"},
      {"a client's second job",
       flood_and_b,
       {"b", "bob"},
       3,
       "its own job, then up to two turns of the flooder (before and after that job)"},
      {"another user of the flooding address",
       flood,
       {"a", "carol"},
       1,
       "within the flooding address, another user waits one turn of the guessed-at user"},
  };
  for (const auto& c : cases) {
    FairQueue queue;
    for (const auto& p : c.waiting) queue.push({p.client, p.user}, [] {});
    EXPECT_EQ(queue.ahead_of(c.key), c.expected) << c.name << ": " << c.why;
  }
}

TEST(FairQueue, AheadOfIsNeverLessThanTheJobsReallyServedFirst) {
  // Queues of several shapes, a job pushed for each key: it is served after at most ahead_of() others.
  const std::vector<Push> waiting = {{"a", "u", ""}, {"a", "u", ""}, {"a", "v", ""}, {"b", "", ""},
                                     {"a", "u", ""}, {"c", "x", ""}, {"c", "y", ""}, {"c", "y", ""},
                                     {"b", "", ""},  {"a", "w", ""}, {"b", "", ""}};
  const std::vector<FairKey> keys = {{"a", "u"}, {"a", "v"}, {"a", "new"}, {"b", ""}, {"c", "y"}, {"d", ""}};
  for (std::size_t served_first = 0; served_first < 4; ++served_first) {
    for (const auto& key : keys) {
      FairQueue queue;
      for (const auto& p : waiting) queue.push({p.client, p.user}, [] {});
      for (std::size_t i = 0; i < served_first; ++i) queue.pop();  // turns already under way
      const std::size_t promised = queue.ahead_of(key);
      bool mine = false;
      queue.push(key, [&mine] { mine = true; });
      std::size_t before = 0;
      for (queue.pop()(); !mine; queue.pop()()) ++before;
      EXPECT_LE(before, promised) << key.client << "/" << key.user << " after " << served_first << " pops";
    }
  }
}

TEST(FairQueue, ForgetsAClientOnceItsJobsAreServed) {
  FairQueue queue;
  queue.push({"a", "u"}, [] {});
  queue.push({"b", "v"}, [] {});
  EXPECT_EQ(queue.clients(), 2u);
  queue.pop();
  queue.pop();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.clients(), 0u) << "nothing is kept per client that has nothing waiting";
}

}  // namespace
}  // namespace authgate::gateway
