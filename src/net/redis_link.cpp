// One pipelined Redis connection: commands in, replies matched in order, deadlines, failure. Connecting
// and the handshake are in redis_link_connect.cpp.
#include "net/redis_link.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <new>

namespace authgate::net::detail {
namespace {

namespace asio = boost::asio;
using stores::StateError;

constexpr std::size_t read_chunk = std::size_t{16} * 1024;

StateError error(StateError::Code code, std::string detail) { return {code, std::move(detail)}; }

RedisReply copy_reply(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      break;
    default:
      out.type = RedisReply::Type::nil;
      break;
  }
  if (r.str != nullptr) out.text.assign(r.str, r.len);
  out.integer = r.integer;
  out.elements.reserve(r.elements);
  for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy_reply(*r.element[i]));
  return out;
}

redisReader* new_reader() {
  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) throw std::bad_alloc();
  return reader;
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

std::string encode_command(const std::vector<std::string_view>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto arg : args) {
    out += '$';
    out += std::to_string(arg.size());
    out += "\r\n";
    out += arg;
    out += "\r\n";
  }
  return out;
}

RedisTransport::RedisTransport(const asio::any_io_executor& executor, std::shared_ptr<asio::ssl::context> tls)
    : context_(std::move(tls)) {
  if (context_) {
    tls_.emplace(executor, *context_);
  } else {
    plain_.emplace(executor);
  }
}

std::shared_ptr<RedisLink> RedisLink::create(const asio::any_io_executor& executor,
                                             RedisLinkOptions options) {
  auto tls = make_tls_context(options.endpoint);  // throws; see the header
  return std::shared_ptr<RedisLink>(new RedisLink(executor, std::move(options), std::move(tls)));
}

RedisLink::RedisLink(const asio::any_io_executor& executor, RedisLinkOptions options,
                     std::shared_ptr<asio::ssl::context> tls)
    : strand_(asio::make_strand(executor)),
      options_(std::move(options)),
      tls_(std::move(tls)),
      deadline_timer_(strand_),
      retry_timer_(strand_),
      reader_(new_reader(), &redisReaderFree) {}

RedisLink::~RedisLink() = default;

void RedisLink::start() {
  asio::post(strand_, [self = shared_from_this()] { self->connect(); });
}

void RedisLink::send(std::string command, RedisHandler done) {
  const auto deadline = SteadyClock::now() + options_.timeout;
  asio::post(strand_, [self = shared_from_this(), command = std::move(command), done = std::move(done),
                       deadline]() mutable { self->enqueue(command, deadline, std::move(done)); });
}

void RedisLink::resend(const std::string& command, SteadyClock::time_point deadline, RedisHandler done) {
  enqueue(command, deadline, std::move(done));
}

void RedisLink::enqueue(const std::string& command, SteadyClock::time_point deadline, RedisHandler done) {
  if (stopped_) return done(error(StateError::Code::unavailable, "redis state store is shut down"));
  // Down between attempts: fail at once rather than make every request wait out its timeout.
  if (state_ == RedisState::down) {
    return done(error(StateError::Code::unavailable, "redis is down: " + status().last_error));
  }
  if (pending_.size() >= options_.max_pending) {
    return done(error(StateError::Code::unavailable, "too many commands waiting for redis"));
  }
  queued_ += command;
  pending_.push_back({deadline, std::move(done)});
  arm_timer(deadline);
  write();
}

void RedisLink::shutdown() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->stopped_) return;
    self->stopped_ = true;
    ++self->generation_;
    self->close_transport();
    self->queued_.clear();
    self->retry_timer_.cancel();
    self->deadline_timer_.cancel();
    self->state_ = RedisState::down;
    const std::string why = "shut down";
    self->set_status(RedisState::down, &why);
    self->fail_all(StateError::Code::unavailable, "redis state store is shut down");
  });
}

void RedisLink::post(std::function<void()> fn) { asio::post(strand_, std::move(fn)); }

RedisStatus RedisLink::status() const {
  const std::lock_guard lock(status_mutex_);
  return status_;
}

void RedisLink::set_status(RedisState state, const std::string* error) {
  const std::lock_guard lock(status_mutex_);
  status_.state = state;
  if (error != nullptr) status_.last_error = *error;
}

void RedisLink::write() {
  if (!open_ || writing_ || queued_.empty()) return;
  writing_ = true;
  // The bytes belong to this write alone, so a connection given up mid-write cannot touch the next one's.
  auto bytes = std::make_shared<std::string>(std::move(queued_));
  queued_.clear();
  transport_->async_write(asio::buffer(*bytes),
                          asio::bind_executor(strand_, [self = shared_from_this(), generation = generation_,
                                                        transport = transport_,
                                                        bytes](boost::system::error_code ec, std::size_t) {
                            if (generation != self->generation_) return;
                            self->writing_ = false;
                            if (ec) return self->fail("cannot write to redis: " + ec.message());
                            self->write();
                          }));
}

void RedisLink::read() {
  auto buffer = std::make_shared<std::vector<char>>(read_chunk);
  transport_->async_read_some(
      asio::buffer(*buffer),
      asio::bind_executor(
          strand_, [self = shared_from_this(), generation = generation_, transport = transport_, buffer](
                       boost::system::error_code ec, std::size_t n) {
            self->on_read(generation, ec, buffer->data(), n);
          }));
}

void RedisLink::on_read(std::uint64_t generation, boost::system::error_code ec, const char* data,
                        std::size_t n) {
  if (generation != generation_) return;
  // Over TLS a server that closes without close_notify ends the stream "truncated": closed all the same.
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return fail("redis closed the connection");
  }
  if (ec) return fail("cannot read from redis: " + ec.message());
  if (redisReaderFeed(reader_.get(), data, n) != REDIS_OK) return fail("redis reply unreadable");
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) return fail("redis reply unreadable");
    if (raw == nullptr) break;
    const std::unique_ptr<redisReply, void (*)(void*)> reply(static_cast<redisReply*>(raw), &freeReplyObject);
    if (pending_.empty()) return fail("redis sent a reply nobody asked for");
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    current_deadline_ = next.deadline;
    next.done(copy_reply(*reply));
    // The handler may have ended this connection (a refused AUTH) or the link.
    if (generation != generation_) return;
  }
  read();
}

void RedisLink::arm_timer(SteadyClock::time_point deadline) {
  if (timer_armed_ && armed_at_ <= deadline) return;
  timer_armed_ = true;
  armed_at_ = deadline;
  deadline_timer_.expires_at(deadline);  // cancels an armed, later wait
  deadline_timer_.async_wait(
      asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
        if (ec == asio::error::operation_aborted) return;  // re-armed earlier, or shut down
        self->timer_armed_ = false;
        self->on_timer();
      }));
}

void RedisLink::on_timer() {
  if (stopped_ || pending_.empty()) return;
  const auto now = SteadyClock::now();
  std::vector<Pending> expired;
  std::deque<Pending> live;
  for (auto& p : pending_) {
    if (p.deadline <= now) {
      expired.push_back(std::move(p));
    } else {
      live.push_back(std::move(p));
    }
  }
  pending_ = std::move(live);
  if (expired.empty()) {
    arm_timer(std::min_element(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
                return a.deadline < b.deadline;
              })->deadline);
    return;
  }
  const std::uint64_t generation = generation_;
  const bool was_open = open_;
  const std::string why = "redis did not answer within " + ms(options_.timeout);
  for (auto& p : expired) p.done(error(StateError::Code::timeout, why));
  if (generation != generation_) return;
  // Replies come in order: the one that is late holds up all behind it. A new connection is the only
  // way to get answers again (a stopped or unreachable server never sends one).
  if (was_open) return fail("a command timed out");
  if (!pending_.empty()) on_timer();
}

void RedisLink::close_transport() {
  // Closing cancels this connection's operations; their handlers hold the transport until they ran.
  if (transport_) {
    boost::system::error_code ignored;
    transport_->socket().close(ignored);
  }
  open_ = false;
  tls_handshaking_ = false;
}

void RedisLink::fail(const std::string& why) {
  ++generation_;
  close_transport();
  writing_ = false;
  queued_.clear();
  reader_.reset(new_reader());  // a partial reply of the old connection must not prefix the next one's
  state_ = RedisState::down;
  set_status(state_, &why);
  ++failures_;
  fail_all(StateError::Code::unavailable, "redis connection lost: " + why);
  retry_later();
}

void RedisLink::fail_all(StateError::Code code, const std::string& why) {
  auto all = std::move(pending_);
  pending_.clear();
  for (auto& p : all) p.done(error(code, why));
}

}  // namespace authgate::net::detail
