// The request's header arena: Beast's fields live in it while the request does, a copy of them goes to
// the heap, and a head larger than a block still parses whole.
#include "http/head_arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

namespace authgate::gateway {
namespace {

using ArenaParser = http::request_parser<http::empty_body, HeadAllocator<char>>;

// Feeds all of `head` to `parser` at once, as the session does with a head that arrived whole.
bool parses(ArenaParser& parser, std::string_view head) {
  parser.header_limit(64 * 1024);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head.data(), head.size()), ec);
  EXPECT_FALSE(ec) << ec.message();
  return !ec && parser.is_header_done();
}

TEST(HeadArena, TakesNoBlockUntilAskedAndGivesThemBackOnRelease) {
  HeadArena arena;
  EXPECT_EQ(arena.held_bytes(), 0u);
  (void)arena.allocate(10, 8);
  EXPECT_EQ(arena.held_bytes(), HeadArena::block_bytes);
  arena.release();
  EXPECT_EQ(arena.held_bytes(), 0u);
}

TEST(HeadArena, AllocationsAreAlignedAndDoNotOverlap) {
  HeadArena arena;
  auto* a = static_cast<char*>(arena.allocate(3, 1));
  auto* b = static_cast<char*>(arena.allocate(16, 16));
  auto* c = static_cast<char*>(arena.allocate(8, 8));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 16, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(c) % 8, 0u);
  EXPECT_GE(b, a + 3);
  EXPECT_GE(c, b + 16);
}

TEST(HeadArena, TakesBackOnlyTheNewestAllocation) {
  HeadArena arena;
  void* first = arena.allocate(64, 8);
  void* second = arena.allocate(64, 8);
  arena.deallocate(first, 64);  // not the newest: stays taken
  EXPECT_NE(arena.allocate(64, 8), first);
  void* newest = arena.allocate(64, 8);
  arena.deallocate(newest, 64);
  EXPECT_EQ(arena.allocate(64, 8), newest);
  (void)second;
}

TEST(HeadArena, AnAllocationLargerThanABlockGetsABlockOfItsOwn) {
  HeadArena arena;
  (void)arena.allocate(100, 8);
  auto* large = static_cast<char*>(arena.allocate(3 * HeadArena::block_bytes, 8));
  large[3 * HeadArena::block_bytes - 1] = 'x';  // all of it is usable (ASan checks)
  EXPECT_GE(arena.held_bytes(), 4 * HeadArena::block_bytes);
}

TEST(HeadAllocator, DefaultConstructedIsTheHeap) {
  Fields fields;
  fields.insert("X-One", "1");
  EXPECT_EQ(fields.get_allocator().arena(), nullptr);
  EXPECT_EQ(fields["X-One"], "1");
}

TEST(HeadAllocator, FieldsInAnArenaCanBeSetErasedAndReplaced) {
  HeadArena arena;
  Fields fields{HeadAllocator<char>{arena}};
  fields.insert("X-One", "1");
  fields.set("X-One", "one");
  fields.insert("X-Two", "2");
  fields.erase("X-One");
  fields.set("X-Two", std::string(500, 'v'));
  EXPECT_EQ(fields.count("X-One"), 0u);
  EXPECT_EQ(fields["X-Two"], std::string(500, 'v'));
  EXPECT_EQ(arena.held_bytes(), HeadArena::block_bytes);
}

TEST(HeadAllocator, ACopyGoesToTheHeapAndOutlivesTheArena) {
  Fields copy;
  {
    HeadArena arena;
    Fields fields{HeadAllocator<char>{arena}};
    fields.insert("X-Kept", "value");
    copy = Fields{fields};
    EXPECT_EQ(copy.get_allocator().arena(), nullptr);
  }
  EXPECT_EQ(copy["X-Kept"], "value");  // under ASan: read after the arena gave its block back
}

TEST(HeadAllocator, AMoveKeepsTheArena) {
  HeadArena arena;
  Fields fields{HeadAllocator<char>{arena}};
  fields.insert("X-Moved", "value");
  Fields moved{std::move(fields)};
  EXPECT_EQ(moved.get_allocator().arena(), &arena);
  EXPECT_EQ(moved["X-Moved"], "value");
}

TEST(HeadAllocator, AParserFillsTheArenaWithAHeadLargerThanABlock) {
  std::string head = "GET / HTTP/1.1\r\nHost: example.com\r\n";
  for (int i = 0; i < 200; ++i) head += "X-Field-" + std::to_string(i) + ": " + std::string(40, 'v') + "\r\n";
  head += "\r\n";
  HeadArena arena;
  ArenaParser parser{std::piecewise_construct, std::tuple<>{}, std::make_tuple(HeadAllocator<char>{arena})};
  ASSERT_TRUE(parses(parser, head));
  EXPECT_EQ(parser.get()["X-Field-199"], std::string(40, 'v'));
  EXPECT_GT(arena.held_bytes(), 2 * HeadArena::block_bytes);
}

TEST(HeadAllocator, ATargetLargerThanABlockParsesAndIsReplaced) {
  for (const std::size_t length :
       {HeadArena::block_bytes - 40, HeadArena::block_bytes, std::size_t{6 * 1024}, std::size_t{10 * 1024}}) {
    const std::string target = "/" + std::string(length, 'a');
    const std::string head = "GET " + target + " HTTP/1.1\r\nHost: example.com\r\nX-After: 1\r\n\r\n";
    HeadArena arena;
    ArenaParser parser{std::piecewise_construct, std::tuple<>{}, std::make_tuple(HeadAllocator<char>{arena})};
    ASSERT_TRUE(parses(parser, head));
    EXPECT_EQ(parser.get().target(), target);
    parser.get().target(target + "?q");
    parser.get().set("X-After", std::string(300, 'b'));
    EXPECT_EQ(parser.get().target(), target + "?q");
    EXPECT_EQ(parser.get()["Host"], "example.com");
  }
}

TEST(HeadArena, AnAlignmentThatPassesTheBlockEndTakesANewBlock) {
  HeadArena arena;
  (void)arena.allocate(HeadArena::block_bytes - 3, 1);  // 3 bytes left, unaligned
  auto* next = static_cast<char*>(arena.allocate(8, 8));
  next[7] = 'x';
  EXPECT_EQ(arena.held_bytes(), 2 * HeadArena::block_bytes);
}

}  // namespace
}  // namespace authgate::gateway
