// Broker 1.4 round-trip latency: one message in flight. Publishes [seq, event] on
// /benchmark/ping and waits for the same value on /benchmark/pong; after --warmup
// round trips, times --count of them and prints
// "latency n=<count> median_us=<m> p99_us=<p> mean_us=<a>", then exits (with --hold:
// waits for "stop" or end of input first, so that the runner can read its CPU time).
// Prints "ready" once peered; answers "sample" with the round trips done so far.
//
// Usage: broker14-ping --port=N [--warmup=50] [--count=500] [--hold] [--tls]
#include <algorithm>
#include <vector>

#include "bench_common.hh"

int main(int argc, char** argv) {
  auto port = static_cast<uint16_t>(bench::option(argc, argv, "--port", 0));
  auto warmup = bench::option(argc, argv, "--warmup", 50);
  auto total = bench::option(argc, argv, "--count", 500);
  broker::endpoint ep{bench::make_config(argc, argv)};
  auto sub = ep.make_subscriber({bench::pong_topic});
  bench::peer_loopback(ep, port, bench::ping_topic);
  std::atomic<uint64_t> done{0};
  bench::serve_control([&] { return done.load(); });
  bench::say("ready");
  std::vector<double> samples;
  samples.reserve(total);
  uint64_t seq = 0;
  while (samples.size() < total) {
    ++seq;
    auto start = std::chrono::steady_clock::now();
    ep.publish(bench::ping_topic, broker::vector{broker::count{seq}, bench::make_conn_event(seq)});
    // Until the partner knows our subscription its pongs are dropped: resend on timeout.
    bool matched = false;
    while (!matched) {
      auto got = sub.get(std::chrono::seconds(1));
      if (!got)
        break;
      auto vec = caf::get_if<broker::vector>(&broker::get_data(*got));
      if (vec && !vec->empty()) {
        auto s = caf::get_if<broker::count>(&vec->front());
        matched = s && *s == seq;
      }
    }
    if (!matched)
      continue;
    auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    done.fetch_add(1, std::memory_order_relaxed);
    if (seq > warmup)
      samples.push_back(us);
  }
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (auto x : samples)
    sum += x;
  auto at = [&](double q) { return samples[std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()))]; };
  bench::say("latency n=" + std::to_string(samples.size()) + " median_us=" + std::to_string(at(0.5))
             + " p99_us=" + std::to_string(at(0.99)) + " mean_us=" + std::to_string(sum / samples.size()));
  if (!bench::flag(argc, argv, "--hold"))
    std::_Exit(0);
  for (;;)
    std::this_thread::sleep_for(std::chrono::seconds(1));
}
