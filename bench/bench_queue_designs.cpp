// Queue designs for several producer threads and one consumer, measured side by side: the
// design the writer ships (one bounded MPMC ring, a compare-and-swap on a shared position per
// push), batched claims on that ring (one fetch_add claims 16 slots), and a ring per producer
// thread (no shared line at all). Items are 56 bytes in 64-byte cells, as QueueItem is.
//
// This compares designs, not the shipped code (bench_writer's BM_AddScalar_Threads measures
// that): each design is the bare queue, so the differences are the designs' own. The consumer
// behaves as the writer thread does: it sleeps, is woken every 8,192 pushes, and drains until
// the queue is empty. Each round pushes 32,768 items in all (half a ring), timed from the
// first producer's first push to the last producer's last push; medians of 31 rounds.
//
//   ./build/bench/bench_queue_designs
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

struct Item {
  std::int64_t fields[7];
};
struct alignas(64) Cell {
  std::atomic<std::size_t> sequence;
  Item item;
};
constexpr std::size_t kCapacity = std::size_t{1} << 16;
constexpr std::size_t kMask = kCapacity - 1;
constexpr int kRound = 1 << 15;
constexpr std::size_t kWakeEvery = 8192;

// The consumer's sleep and wake-up, as the writer thread's.
class Waker {
 public:
  void wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
    }
    cv_.notify_one();
  }
  // False once stopped.
  bool sleep() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return woken_ || stopped_; });
    woken_ = false;
    return !stopped_;
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopped_ = false;
};

// One ring, a compare-and-swap per push (the shipped design).
class SharedRing {
 public:
  SharedRing() : cells_(kCapacity) {
    for (std::size_t i = 0; i < kCapacity; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }
  // Returns the position pushed at.
  std::size_t push(const Item& item, int /*producer*/) {
    std::size_t pos = enqueue_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & kMask];
      const auto dif = static_cast<std::intptr_t>(cell.sequence.load(std::memory_order_acquire)) -
                       static_cast<std::intptr_t>(pos);
      if (dif == 0 && enqueue_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        cell.item = item;
        cell.sequence.store(pos + 1, std::memory_order_release);
        return pos;
      }
      if (dif != 0) pos = enqueue_.load(std::memory_order_relaxed);
    }
  }
  std::size_t drain() {
    std::size_t n = 0;
    for (;;) {
      Cell& cell = cells_[dequeue_ & kMask];
      if (cell.sequence.load(std::memory_order_acquire) != dequeue_ + 1) return n;
      sink_ = cell.item.fields[0];
      cell.sequence.store(dequeue_ + kCapacity, std::memory_order_release);
      ++dequeue_;
      ++n;
    }
  }

 protected:
  std::vector<Cell> cells_;
  alignas(64) std::atomic<std::size_t> enqueue_{0};
  alignas(64) std::size_t dequeue_ = 0;
  volatile std::int64_t sink_ = 0;
};

// The same ring, each producer claiming 16 slots with one fetch_add and filling them in turn.
// (A producer that stops mid-batch leaves claimed slots that block the consumer: the design
// needs a way to take those over, which this measurement leaves out.)
class BatchedClaims : public SharedRing {
 public:
  static constexpr std::size_t kBatch = 16;
  std::size_t push(const Item& item, int producer) {
    Claim& c = claims_[producer];
    if (c.next == c.end) {
      c.next = enqueue_.fetch_add(kBatch, std::memory_order_relaxed);
      c.end = c.next + kBatch;
    }
    const std::size_t pos = c.next++;
    Cell& cell = cells_[pos & kMask];
    while (cell.sequence.load(std::memory_order_acquire) != pos) {
    }
    cell.item = item;
    cell.sequence.store(pos + 1, std::memory_order_release);
    return pos;
  }

 private:
  struct alignas(64) Claim {
    std::size_t next = 0, end = 0;
  };
  Claim claims_[64];
};

// A ring per producer: only the producer writes its tail, only the consumer its head.
class RingPerProducer {
 public:
  std::size_t push(const Item& item, int producer) {
    Ring& r = rings_[producer];
    const std::size_t tail = r.tail.load(std::memory_order_relaxed);
    while (tail - r.head.load(std::memory_order_acquire) >= kRingCapacity) {
    }
    r.items[tail & (kRingCapacity - 1)] = item;
    r.tail.store(tail + 1, std::memory_order_release);
    return tail;
  }
  std::size_t drain() {
    std::size_t n = 0;
    for (bool any = true; any;) {
      any = false;
      for (Ring& r : rings_) {
        std::size_t head = r.head.load(std::memory_order_relaxed);
        const std::size_t tail = r.tail.load(std::memory_order_acquire);
        for (; head != tail; ++head, ++n, any = true) sink_ = r.items[head & (kRingCapacity - 1)].fields[0];
        r.head.store(head, std::memory_order_release);
      }
    }
    return n;
  }

 private:
  static constexpr std::size_t kRingCapacity = kRound;  // a round never fills a ring
  struct Ring {
    std::vector<Item> items = std::vector<Item>(kRingCapacity);
    alignas(64) std::atomic<std::size_t> tail{0};
    alignas(64) std::atomic<std::size_t> head{0};
  };
  std::vector<Ring> rings_ = std::vector<Ring>(8);
  volatile std::int64_t sink_ = 0;
};

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Total pushes per second over one round.
template <typename Queue>
double one_round(int threads) {
  Queue queue;
  Waker waker;
  std::thread consumer([&] {
    while (waker.sleep()) queue.drain();
    queue.drain();
  });
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> begin(threads), end(threads);
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      begin[t] = seconds_now();
      Item item{};
      item.fields[0] = t;
      for (int i = 0; i < kRound / threads; ++i) {
        item.fields[1] = i;
        // Each ring position counts from 0: per producer for RingPerProducer, which then
        // wakes the consumer as often in total.
        const std::size_t pos = queue.push(item, t);
        if (((pos + 1) & (kWakeEvery / (std::is_same_v<Queue, RingPerProducer> ? threads : 1) - 1)) == 0) {
          waker.wake();
        }
      }
      end[t] = seconds_now();
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  go.store(true, std::memory_order_release);
  for (auto& p : producers) p.join();
  waker.stop();
  consumer.join();
  return kRound / (*std::max_element(end.begin(), end.end()) - *std::min_element(begin.begin(), begin.end()));
}

template <typename Queue>
double median_rate(int threads) {
  std::vector<double> rates;
  for (int i = 0; i < 31; ++i) rates.push_back(one_round<Queue>(threads));
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main() {
  std::printf("%-8s %28s %28s %28s\n", "threads", "one ring, CAS per push", "batched claims (16)",
              "ring per producer");
  double base[3] = {0, 0, 0};
  for (int threads : {1, 2, 4, 8}) {
    const double rates[3] = {median_rate<SharedRing>(threads), median_rate<BatchedClaims>(threads),
                             median_rate<RingPerProducer>(threads)};
    std::printf("%-8d", threads);
    for (int d = 0; d < 3; ++d) {
      if (threads == 1) base[d] = rates[d];
      std::printf(" %14.1f M/s (%4.2fx)     ", rates[d] / 1e6, rates[d] / base[d]);
    }
    std::printf("\n");
  }
}
