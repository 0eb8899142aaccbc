// Broker 1.4 throughput sender: peers with the receiver and publishes the type-2
// conn.log event with endpoint::publish, one message per event, as fast as an
// application-level window allows: at most --window events published and not yet
// acknowledged by the receiver. Without the window the core actor's unbounded
// mailbox grows without limit (Broker 1.4's publish has no flow control).
//
// Usage: broker14-sender --port=N [--window=5000] [--tls]
#include <condition_variable>

#include "bench_common.hh"

int main(int argc, char** argv) {
  auto port = static_cast<uint16_t>(bench::option(argc, argv, "--port", 0));
  auto window = bench::option(argc, argv, "--window", 5000);
  broker::endpoint ep{bench::make_config(argc, argv)};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> sent{0};
  std::mutex mx;
  std::condition_variable cv;
  // Subscribe before peering so that the handshake already carries our filter.
  ep.subscribe(
    {bench::ack_topic}, [](caf::unit_t&) {},
    [&](caf::unit_t&, broker::data_message msg) {
      auto p = caf::get_if<broker::count>(&broker::get_data(msg));
      if (!p)
        return;
      auto prev = acked.load();
      while (*p > prev && !acked.compare_exchange_weak(prev, *p)) {}
      std::lock_guard<std::mutex> guard{mx};
      cv.notify_one();
    },
    [](caf::unit_t&, const caf::error&) {});
  bench::peer_loopback(ep, port, bench::events_topic);
  bench::serve_control([&] { return sent.load(); });
  bench::say("ready");
  uint64_t n = 0;
  for (;;) {
    if (n - acked.load(std::memory_order_relaxed) >= window) {
      std::unique_lock<std::mutex> guard{mx};
      cv.wait(guard, [&] { return n - acked.load() < window; });
    }
    ep.publish(bench::events_topic, bench::make_conn_event(n));
    sent.store(++n, std::memory_order_relaxed);
  }
}
