// Broker 1.4 round-trip partner: publishes every message received on /benchmark/ping
// back on /benchmark/pong, unchanged.
//
// Usage: broker14-pong [--port=0] [--tls]   Prints "ready <port>".
#include "bench_common.hh"

int main(int argc, char** argv) {
  auto port = static_cast<uint16_t>(bench::option(argc, argv, "--port", 0));
  broker::endpoint ep{bench::make_config(argc, argv)};
  std::atomic<uint64_t> echoed{0};
  ep.subscribe(
    {bench::ping_topic}, [](caf::unit_t&) {},
    [&](caf::unit_t&, broker::data_message msg) {
      ep.publish(bench::pong_topic, broker::get_data(msg));
      echoed.fetch_add(1, std::memory_order_relaxed);
    },
    [](caf::unit_t&, const caf::error&) {});
  auto actual = bench::listen_loopback(ep, port);
  bench::serve_control([&] { return echoed.load(); });
  bench::say("ready " + std::to_string(actual));
  for (;;)
    std::this_thread::sleep_for(std::chrono::seconds(1));
}
