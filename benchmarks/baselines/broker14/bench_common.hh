// Shared pieces of the Broker 1.4 baseline programs: the benchmark event, endpoint
// configuration, the stdin/stdout control protocol spoken with the Node runner, and a
// line printer that several threads may use.
//
// Control protocol (one line per command on stdin, one line per reply on stdout):
//   "sample" -> "sample <count>"   (events received or sent so far)
//   "stop" or end of input -> "total <count>", then the process exits at once
// A program prints "ready <port>" (listeners) or "ready" once it can be measured.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "broker/broker.hh"
#include "broker/zeek.hh"

namespace bench {

/// Topic of the benchmark events (Broker's own broker-benchmark uses the same).
inline const char* events_topic = "/benchmark/events";
/// Topic on which the receiver publishes cumulative acknowledgement counts.
inline const char* ack_topic = "/benchmark/ack";
inline const char* ping_topic = "/benchmark/ping";
inline const char* pong_topic = "/benchmark/pong";

/// Prints whole lines; the control thread and the reporting loop share stdout.
inline void say(const std::string& line) {
  static std::mutex mx;
  std::lock_guard<std::mutex> guard{mx};
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

/// Report lines go to stderr so that stdout carries only the control protocol.
inline void report(const std::string& line) {
  std::cerr << line << std::endl;
}

/// The strings of Broker's broker-benchmark: 10 characters cycling through
/// [0-9A-Za-z] (its random_string ignores the requested length).
inline std::string cycling_string() {
  static thread_local unsigned i = 0;
  static const char charset[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  char buf[10];
  for (char& c : buf)
    c = charset[++i % (sizeof(charset) - 1)];
  return std::string(buf, sizeof(buf));
}

/// Type-2 event of broker-benchmark: a conn.log line of 18 fields (Broker 1.4's tests/benchmark/broker-benchmark.cc),
/// wrapped as the Zeek event `[1, 1, ["event_2", args]]`. `n` feeds the count fields.
inline broker::data make_conn_event(uint64_t n) {
  using namespace broker;
  static const address a1 = [] { address a; convert(std::string("1.2.3.4"), a); return a; }();
  static const address a2 = [] { address a; convert(std::string("3.4.5.6"), a); return a; }();
  vector args{now(),
              cycling_string(),
              vector{a1, port(4567, port::protocol::tcp), a2, port(80, port::protocol::tcp)},
              enum_value("tcp"),
              cycling_string(),
              std::chrono::duration_cast<timespan>(std::chrono::duration<double>(3.14)),
              count{n * 7 + 1},
              count{n * 7 + 2},
              cycling_string().substr(0, 5),
              true,
              false,
              count{n * 7 + 3},
              cycling_string(),
              count{n * 7 + 4},
              count{n * 7 + 5},
              count{n * 7 + 6},
              count{n * 7 + 7},
              set{cycling_string(), cycling_string()}};
  return std::move(zeek::Event("event_2", std::move(args)).as_data());
}

/// Parses "--name=value" options into a number, or returns `fallback`.
inline uint64_t option(int argc, char** argv, const char* name, uint64_t fallback) {
  auto len = std::strlen(name);
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], name, len) == 0 && argv[i][len] == '=')
      return std::strtoull(argv[i] + len + 1, nullptr, 10);
  return fallback;
}

/// True if the flag "--name" is present.
inline bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return true;
  return false;
}

/// Serves the control protocol on a detached thread. The process exits from here on
/// "stop" or end of input: Broker 1.4's endpoint shutdown can wait for peers, and the
/// runner only needs the final count.
inline void serve_control(std::function<uint64_t()> count) {
  std::thread([count] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "sample")
        say("sample " + std::to_string(count()));
      else if (line == "stop")
        break;
    }
    say("total " + std::to_string(count()));
    std::_Exit(0);
  }).detach();
}

/// Waits until a peer has subscribed to `t`, so that nothing published before is lost
/// for want of a route. Returns false after `limit`.
inline bool await_peer_subscription(broker::endpoint& ep, const std::string& t,
                                    std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    for (auto& x : ep.peer_subscriptions())
      if (t.compare(0, x.string().size(), x.string()) == 0)
        return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

/// Listens on 127.0.0.1:`port` (0 picks a free port) and returns the bound port;
/// exits the process with a message if listening fails.
inline uint16_t listen_loopback(broker::endpoint& ep, uint16_t port) {
  auto actual = ep.listen("127.0.0.1", port);
  if (actual == 0) {
    std::cerr << "failed to listen on port " << port << std::endl;
    std::exit(1);
  }
  return actual;
}

/// Peers with 127.0.0.1:`port` and waits until the peer subscribes to `t`; exits the
/// process with a message on failure.
inline void peer_loopback(broker::endpoint& ep, uint16_t port, const std::string& t) {
  if (port == 0) {
    std::cerr << "--port=N (the listener's port) is required" << std::endl;
    std::exit(2);
  }
  // No retry: the listener is up before we start, and a retrying peer() would block
  // forever (before the control thread exists) if it were not.
  if (!ep.peer("127.0.0.1", port, broker::timeout::seconds(0))) {
    std::cerr << "unable to peer with 127.0.0.1:" << port << std::endl;
    std::exit(1);
  }
  if (!await_peer_subscription(ep, t, std::chrono::seconds(30))) {
    std::cerr << "peer never subscribed to " << t << std::endl;
    std::exit(1);
  }
}

/// Builds the endpoint configuration from the command line: SSL off unless --tls, no
/// broker.conf lookup (a stray file must not change the measurement), no forwarding.
/// CAF 0.17's stream timing stays at its defaults (max batch delay 5 ms, credit round
/// 10 ms) unless --max-batch-delay-us / --credit-round-us are given: the defaults are
/// what a Zeek deployment of Broker 1.4 runs with.
inline broker::configuration make_config(int argc, char** argv) {
  broker::broker_options opts;
  opts.disable_ssl = !flag(argc, argv, "--tls");
  opts.ignore_broker_conf = true;
  opts.forward = false;
  broker::configuration cfg{opts};
  if (auto us = option(argc, argv, "--max-batch-delay-us", 0))
    cfg.stream_max_batch_delay = std::chrono::microseconds(us);
  if (auto us = option(argc, argv, "--credit-round-us", 0))
    cfg.stream_credit_round_interval = std::chrono::microseconds(us);
  return cfg;
}

} // namespace bench
