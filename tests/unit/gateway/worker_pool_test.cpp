// The hashing pool: jobs admitted by their expected wait (from the measured job time), the count bound as
// a hard cap, Retry-After from the queue's drain time, and the threads shared fairly between clients.
// The one thread is held by a gate, so what runs and what waits is known exactly.
#include "gateway/authn/worker_pool.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/ops/metrics.hpp"

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;

/// Holds the pool's thread in a job until opened (at the latest when the gate goes).
class Gate {
 public:
  Gate() : opened_(open_.get_future().share()) {}
  ~Gate() { open(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  /// Posts the holding job and waits until a thread runs it.
  void hold(WorkerPool& pool) {
    auto started = std::make_shared<std::promise<void>>();
    auto running = started->get_future();
    ASSERT_TRUE(pool.try_post({"gate", ""},
                              [started, opened = opened_] {
                                started->set_value();
                                opened.wait();
                              })
                    .admitted);
    running.wait();
  }
  void open() {
    if (is_open_) return;
    is_open_ = true;
    open_.set_value();
  }

 private:
  std::promise<void> open_;
  std::shared_future<void> opened_;
  bool is_open_ = false;
};

/// The tags of the jobs in the order they ran.
class Order {
 public:
  std::function<void()> job(std::string tag) {
    return [this, tag = std::move(tag)] {
      const std::lock_guard lock(mutex_);
      tags_.push_back(tag);
    };
  }
  std::vector<std::string> tags() const {
    const std::lock_guard lock(mutex_);
    return tags_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> tags_;
};

WorkerPool::Options one_thread(std::chrono::milliseconds max_wait, std::chrono::microseconds estimate,
                               std::size_t max_pending = 1000, Metrics* metrics = nullptr) {
  return {.threads = 1,
          .max_pending = max_pending,
          .max_wait = max_wait,
          .first_estimate = estimate,
          .metrics = metrics};
}

/// Posts jobs for `key` until one is refused; returns how many were admitted and the refusal.
std::pair<int, Admission> fill(WorkerPool& pool, const FairKey& key, int at_most = 10'000) {
  for (int i = 0; i < at_most; ++i) {
    auto admission = pool.try_post(key, [] {});
    if (!admission.admitted) return {i, admission};
  }
  return {at_most, Admission{}};
}

TEST(WorkerPool, AFloodingAddressIsRefusedForItsWaitWhileAnotherAddressStillGetsIn) {
  Order order;
  {
    WorkerPool pool(one_thread(1s, 100ms));
    Gate gate;
    gate.hold(pool);
    // One thread, 100 ms a job, 1 s at most: the flooder's 10th job waits 10 × 100 ms, its 11th 1.1 s.
    int admitted = 0;
    Admission refused;
    for (;; ++admitted) {
      refused = pool.try_post({"192.0.2.1", "alice"}, order.job("flood"));
      if (!refused.admitted) break;
    }
    EXPECT_EQ(admitted, 10);
    EXPECT_EQ(refused.refusal, HashRefusal::wait);
    EXPECT_EQ(refused.retry_after, 2s) << "11 jobs to drain at 100 ms: 1.1 s, rounded up";
    // Another address waits one turn of the flooder and the job running: 200 ms.
    EXPECT_TRUE(pool.try_post({"198.51.100.7", "bob"}, order.job("bob")).admitted);
    gate.open();
  }
  const auto tags = order.tags();
  ASSERT_EQ(tags.size(), 11u);
  EXPECT_EQ(tags[1], "bob") << "served after one job of the flooder, not after its ten";
}

TEST(WorkerPool, TheCountBoundRefusesEvenWhenTheWaitWouldBeShort) {
  WorkerPool pool(one_thread(60s, 1ms, 3));
  Gate gate;
  gate.hold(pool);
  for (const char* client : {"a", "b", "c"}) EXPECT_TRUE(pool.try_post({client, ""}, [] {}).admitted);
  const auto refused = pool.try_post({"d", ""}, [] {});
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refusal, HashRefusal::full);
  EXPECT_EQ(refused.retry_after, 1s) << "a queue that drains in 4 ms: Retry-After is at least 1 s";
}

TEST(WorkerPool, AQueueBoundOfZeroAdmitsNothing) {
  WorkerPool pool(2, 0);
  const auto refused = pool.try_post({"a", ""}, [] {});
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refusal, HashRefusal::full);
}

TEST(WorkerPool, RetryAfterIsAtMostAMinute) {
  WorkerPool pool(one_thread(60s, 1s));
  Gate gate;
  gate.hold(pool);
  const auto [admitted, refused] = fill(pool, {"a", ""});
  EXPECT_EQ(admitted, 60) << "1 s a job, 60 s at most";
  EXPECT_EQ(refused.refusal, HashRefusal::wait);
  EXPECT_EQ(refused.retry_after, 60s) << "61 s to drain, but Retry-After stops at 60";
}

TEST(WorkerPool, AdmissionFollowsTheMeasuredJobTimeNotTheFirstEstimate) {
  // A first estimate of 1 ms would admit 100 jobs within 100 ms; once a job measured >= 40 ms, at most 2.
  WorkerPool pool(one_thread(100ms, 1ms));
  EXPECT_EQ(pool.mean_job_time(), 1ms) << "the estimate, until something was measured";
  std::promise<void> done;
  ASSERT_TRUE(pool.try_post({"a", ""},
                            [&done] {
                              std::this_thread::sleep_for(40ms);
                              done.set_value();
                            })
                  .admitted);
  done.get_future().wait();
  while (pool.completed() == 0) std::this_thread::sleep_for(1ms);  // measured right after the job
  EXPECT_GE(pool.mean_job_time(), 40ms);
  Gate gate;
  gate.hold(pool);
  const auto [admitted, refused] = fill(pool, {"a", ""});
  EXPECT_LE(admitted, 2);
  EXPECT_EQ(refused.refusal, HashRefusal::wait);
}

TEST(WorkerPool, CountsRefusalsAndPublishesTheMeanJobTime) {
  Metrics metrics("test");
  WorkerPool pool(one_thread(1s, 250ms, 5, &metrics));
  Gate gate;
  gate.hold(pool);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(pool.try_post({"a", ""}, [] {}).admitted);  // 4 × 250 ms = 1 s
  EXPECT_EQ(pool.try_post({"a", ""}, [] {}).refusal, HashRefusal::wait);
  EXPECT_TRUE(pool.try_post({"b", ""}, [] {}).admitted);
  EXPECT_EQ(pool.try_post({"c", ""}, [] {}).refusal, HashRefusal::full);
  const auto text = metrics.render_prometheus();
  EXPECT_NE(text.find("authgate_hash_queue_refused_total{why=\"wait\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("authgate_hash_queue_refused_total{why=\"full\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("authgate_hash_mean_seconds 0.25\n"), std::string::npos) << text;
}

TEST(WorkerPool, RunsTheJobsAlreadyQueuedBeforeItStops) {
  Order order;
  {
    WorkerPool pool(one_thread(60s, 1ms));
    Gate gate;
    gate.hold(pool);
    for (const char* tag : {"x", "y", "z"}) EXPECT_TRUE(pool.try_post({tag, ""}, order.job(tag)).admitted);
    gate.open();
  }
  EXPECT_EQ(order.tags(), (std::vector<std::string>{"x", "y", "z"}));
}

}  // namespace
}  // namespace authgate::gateway
