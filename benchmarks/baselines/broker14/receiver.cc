// Broker 1.4 throughput receiver: listens, subscribes to the benchmark events, counts
// them, and acknowledges a cumulative count every --ack-every events so that the
// sender can keep a bounded window (endpoint::publish has no backpressure in 1.4).
//
// Usage: broker14-receiver [--port=0] [--ack-every=500] [--subscriber-queue=N] [--tls]
// Counts in an endpoint::subscribe stream-sink callback (as broker-benchmark's server
// does), or with --subscriber-queue=N in a broker::subscriber of that queue size.
// Prints "ready <port>", then per-second "rate <events/s> total <n>" lines on stderr.
#include "bench_common.hh"

int main(int argc, char** argv) {
  auto port = static_cast<uint16_t>(bench::option(argc, argv, "--port", 0));
  auto ack_every = bench::option(argc, argv, "--ack-every", 500);
  broker::endpoint ep{bench::make_config(argc, argv)};
  auto queue_size = bench::option(argc, argv, "--subscriber-queue", 0);
  std::atomic<uint64_t> received{0};
  auto on_event = [&] {
    auto n = received.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n % ack_every == 0)
      ep.publish(bench::ack_topic, broker::count{n});
  };
  if (queue_size == 0) {
    // The stream-sink callback runs on a CAF worker; publish from there is a plain
    // asynchronous message to the core, so it never blocks the sink.
    ep.subscribe(
      {bench::events_topic}, [](caf::unit_t&) {},
      [&](caf::unit_t&, broker::data_message msg) {
        (void)broker::get_data(msg);
        on_event();
      },
      [](caf::unit_t&, const caf::error&) {});
  } else {
    // The blocking subscriber object (what applications such as Zeek poll), with a
    // queue of --subscriber-queue messages, drained by a thread of its own.
    auto sub = std::make_shared<broker::subscriber>(ep.make_subscriber({bench::events_topic}, queue_size));
    std::thread([sub, &on_event] {
      for (;;) {
        if (sub->get(std::chrono::milliseconds(100)))
          on_event();
        for (auto& msg : sub->poll()) {
          (void)broker::get_data(msg);
          on_event();
        }
      }
    }).detach();
  }
  auto actual = bench::listen_loopback(ep, port);
  bench::serve_control([&] { return received.load(); });
  bench::say("ready " + std::to_string(actual));
  // Re-acknowledge periodically: an ack published before the sender's subscription
  // was known would be dropped, and a sender with a full window would wait forever.
  auto last = received.load();
  auto next_report = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto n = received.load();
    ep.publish(bench::ack_topic, broker::count{n});
    if (std::chrono::steady_clock::now() >= next_report) {
      bench::report("rate " + std::to_string(n - last) + " total " + std::to_string(n));
      last = n;
      next_report += std::chrono::seconds(1);
    }
  }
}
