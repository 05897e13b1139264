// The connection table (gateway/conn/connection_table.hpp): exact totals at admission, per-network
// limits, pending-head accounting through the phases, and making room by closing the oldest idle one.
#include "gateway/conn/connection_table.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;
using Phase = ConnectionTable::Phase;
namespace ip = boost::asio::ip;

const ip::address a = ip::make_address("192.0.2.1");
const ip::address b = ip::make_address("192.0.2.2");

ConnectionLimits limits(std::size_t total, std::size_t per_address, std::size_t pending) {
  return {total, per_address, pending};
}

TEST(ConnectionTable, TheTotalIsExactAndFreedOnRelease) {
  ConnectionTable table;
  std::vector<ConnectionTable::Ticket> tickets(3);
  for (auto& ticket : tickets)
    EXPECT_EQ(table.admit(a, false, limits(3, 0, 0), ticket), ConnectionRefusal::none);
  ConnectionTable::Ticket over;
  EXPECT_EQ(table.admit(b, false, limits(3, 0, 0), over), ConnectionRefusal::total);
  EXPECT_FALSE(over);
  EXPECT_EQ(table.open(), 3u);
  tickets[0].release();
  EXPECT_EQ(table.open(), 2u);
  EXPECT_EQ(table.admit(b, false, limits(3, 0, 0), over), ConnectionRefusal::none);
  EXPECT_EQ(table.admitted(), 4u);
}

TEST(ConnectionTable, ManyThreadsNeverOvershootTheTotal) {
  ConnectionTable table;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  std::vector<std::vector<ConnectionTable::Ticket>> held(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        ConnectionTable::Ticket ticket;
        if (table.admit(a, false, limits(100, 0, 0), ticket) == ConnectionRefusal::none) {
          ++admitted;
          held[t].push_back(std::move(ticket));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 100);
  EXPECT_EQ(table.open(), 100u);
}

TEST(ConnectionTable, OneNetworkIsHeldToItsLimitsWhileOthersGetIn) {
  ConnectionTable table;
  std::vector<ConnectionTable::Ticket> tickets(2);
  for (auto& ticket : tickets)
    ASSERT_EQ(table.admit(a, false, limits(100, 2, 0), ticket), ConnectionRefusal::none);
  ConnectionTable::Ticket third;
  EXPECT_EQ(table.admit(a, false, limits(100, 2, 0), third), ConnectionRefusal::address);
  EXPECT_EQ(table.admit(ip::make_address("::ffff:192.0.2.1"), false, limits(100, 2, 0), third),
            ConnectionRefusal::address)
      << "an IPv4-mapped address is the same client";
  EXPECT_EQ(table.admit(b, false, limits(100, 2, 0), third), ConnectionRefusal::none);
  ConnectionTable::Ticket proxy;
  EXPECT_EQ(table.admit(a, true, limits(100, 2, 0), proxy), ConnectionRefusal::none)
      << "trusted proxies are exempt";
}

TEST(ConnectionTable, AnIpv6SlashSixtyFourIsOneClient) {
  ConnectionTable table;
  ConnectionTable::Ticket first, second, other;
  ASSERT_EQ(table.admit(ip::make_address("2001:db8:1:2::1"), false, limits(100, 1, 0), first),
            ConnectionRefusal::none);
  EXPECT_EQ(table.admit(ip::make_address("2001:db8:1:2:ffff::9"), false, limits(100, 1, 0), second),
            ConnectionRefusal::address);
  EXPECT_EQ(table.admit(ip::make_address("2001:db8:1:3::1"), false, limits(100, 1, 0), other),
            ConnectionRefusal::none);
}

TEST(ConnectionTable, PendingHeadsCountUntilAHeadIsCompleteAndAgainWhileOneIsComing) {
  ConnectionTable table;
  ConnectionTable::Ticket first, second, third, fourth;
  ASSERT_EQ(table.admit(a, false, limits(100, 0, 2), first), ConnectionRefusal::none);
  ASSERT_EQ(table.admit(a, false, limits(100, 0, 2), second), ConnectionRefusal::none);
  EXPECT_EQ(table.admit(a, false, limits(100, 0, 2), third), ConnectionRefusal::pending_heads)
      << "two connections still owe their first head";
  first.set_phase(Phase::busy);
  ASSERT_EQ(table.admit(a, false, limits(100, 0, 2), third), ConnectionRefusal::none)
      << "first sent its head";
  EXPECT_EQ(table.admit(a, false, limits(100, 0, 2), fourth), ConnectionRefusal::pending_heads);
  third.set_phase(Phase::busy);
  third.set_phase(Phase::idle);  // idle on keep-alive owes nothing
  first.set_phase(Phase::head);  // bytes of a next head came: it owes one again
  EXPECT_EQ(table.admit(a, false, limits(100, 0, 2), fourth), ConnectionRefusal::pending_heads);
  second.release();  // a connection that leaves owing a head stops counting
  EXPECT_EQ(table.admit(a, false, limits(100, 0, 2), fourth), ConnectionRefusal::none);
}

TEST(ConnectionTable, AtTheLimitTheOldestIdleConnectionIsClosedToMakeRoom) {
  ConnectionTable table;
  std::vector<ConnectionTable::Ticket> tickets(3);
  std::vector<int> closed;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(table.admit(a, false, limits(3, 0, 0), tickets[i]), ConnectionRefusal::none);
    tickets[i].on_evict([&closed, i] { closed.push_back(i); });
    std::this_thread::sleep_for(2ms);
  }
  tickets[0].set_phase(Phase::busy);  // the oldest is busy: never closed for room
  tickets[2].set_phase(Phase::idle);  // the newest went idle just now
  EXPECT_FALSE(table.has_room(3));
  EXPECT_TRUE(table.make_room(0ms));
  EXPECT_EQ(closed, std::vector<int>{1}) << "the one sending its head since it connected";
  EXPECT_TRUE(table.make_room(0ms)) << "one is on its way out";
  EXPECT_EQ(closed, std::vector<int>{1}) << "one at a time";
  EXPECT_FALSE(table.has_room(3)) << "a connection closing for room counts until its socket is closed";
  EXPECT_EQ(table.evicted(), 1u);

  int woken = 0;
  table.on_room([&woken] { ++woken; });
  table.want_room();
  tickets[1].release();  // its session ends
  EXPECT_EQ(woken, 1);
  EXPECT_TRUE(table.has_room(3));
  ConnectionTable::Ticket fresh;
  EXPECT_EQ(table.admit(b, false, limits(3, 0, 0), fresh), ConnectionRefusal::none);

  tickets[2].set_phase(Phase::busy);
  fresh.set_phase(Phase::busy);
  EXPECT_FALSE(table.make_room(0ms)) << "every one busy: nothing to close";
  ConnectionTable::Ticket none;
  EXPECT_EQ(table.admit(b, false, limits(3, 0, 0), none), ConnectionRefusal::total);
}

TEST(ConnectionTable, AConnectionThatTurnedBusyIsSparedAndAnotherChosen) {
  ConnectionTable table;
  std::vector<ConnectionTable::Ticket> tickets(2);
  std::vector<int> closed;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(table.admit(a, false, limits(2, 0, 0), tickets[i]), ConnectionRefusal::none);
    tickets[i].on_evict([&closed, i] { closed.push_back(i); });
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(table.make_room(0ms));
  tickets[0].set_phase(Phase::busy);  // a request came before its thread closed it
  int woken = 0;
  table.on_room([&woken] { ++woken; });
  table.want_room();
  tickets[0].spare();
  EXPECT_EQ(woken, 1) << "the waiting accept loop chooses again";
  ASSERT_TRUE(table.make_room(0ms));
  EXPECT_EQ(closed, (std::vector<int>{0, 1}));
}

TEST(ConnectionTable, AConnectionYoungerThanEvictAfterIsNotClosedForRoom) {
  ConnectionTable table;
  ConnectionTable::Ticket only;
  ASSERT_EQ(table.admit(a, false, limits(1, 0, 0), only), ConnectionRefusal::none);
  EXPECT_FALSE(table.make_room(1h));
}

}  // namespace
}  // namespace authgate::gateway
