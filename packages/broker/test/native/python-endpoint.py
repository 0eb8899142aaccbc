"""A Broker endpoint driven line by line through Broker's Python bindings, for the
tests of broker-ts endpoints peering with the newest Broker.

Usage: python3 python-endpoint.py [--disable-ssl] [--cert FILE --key FILE --cafile FILE [--passphrase TEXT]]

Commands on stdin, one per line (answers on stdout, one line each):
  listen                    -> "listening PORT"
  peer PORT RETRY_SECONDS   -> "peered True|False"
  unpeer PORT               -> "unpeered True|False"
  subscribe TOPIC           -> "subscribed TOPIC"
  publish TOPIC all_types   -> "published"  (a Zeek event holding every Broker type)
  publish TOPIC event_with_metadata -> "published"  (Zeek event "ping" with a network time)
  publish TOPIC event NAME ARGS...  -> "published"  (Zeek event NAME with string arguments)
  publish TOPIC text WORDS  -> "published"  (the string WORDS)
  echo FROM TO              -> "echoing"    (re-publishes each message on FROM to TO)
  quit                      -> exits
Events, as they happen:
  status CODE ID ADDRESS:PORT|- MESSAGE   for every status (ID "-" when none)
  error CODE MESSAGE                      for every error
  data TOPIC VALUE                        for every message received (VALUE as str())
"""

import datetime
import os
import select
import sys
import threading

import broker
import broker.zeek

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "capture"))
from broker_values import all_types_event  # noqa: E402

lock = threading.Lock()


def say(line):
    with lock:
        print(line, flush=True)


def event_with_metadata():
    network_time = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    return broker.zeek.Event("ping", broker.Count(7), "x", metadata={1: network_time})


def endpoint(args):
    opts = broker.BrokerOptions()
    if "--disable-ssl" in args:
        opts.disable_ssl = True
    cfg = broker.Configuration(opts)
    for flag, key in (("--cert", "certificate"), ("--key", "key"), ("--cafile", "cafile"), ("--passphrase", "passphrase")):
        if flag in args:
            setattr(cfg, "openssl_" + key, args[args.index(flag) + 1])
    return broker.Endpoint(cfg)


def describe_status(s):
    ctx = s.context()
    node = str(ctx.node_id()) if ctx is not None else "-"
    net = "-"
    if ctx is not None and ctx.network.is_set():
        info = ctx.network.get()
        net = "%s:%d" % (info.address, info.port)
    return "status %s %s %s %s" % (str(s).split("(")[0], node, net, str(s))


def main():
    args = sys.argv[1:]
    ep = endpoint(args)
    statuses = ep.make_status_subscriber(True)
    subscribers = []
    echoes = {}
    stop = threading.Event()

    def pump():
        try:
            serve()
        except BaseException as e:  # a broken helper fails the test at once
            print("helper failed: %r" % (e,), file=sys.stderr, flush=True)
            os._exit(3)

    def serve():
        while not stop.is_set():
            fds = [statuses.fd()] + [s.fd() for s in list(subscribers)]
            ready, _, _ = select.select(fds, [], [], 0.05)
            if not ready:
                continue
            for st in statuses.poll():
                if isinstance(st, broker.Status):
                    say(describe_status(st))
                else:
                    say("error %s %s" % (str(st).split("(")[0], str(st)))
            for sub in list(subscribers):
                for topic, value in sub.poll():
                    say("data %s %s" % (topic, value))
                    for prefix, to in echoes.items():
                        if topic.startswith(prefix):
                            ep.publish(to, value)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        if cmd == "listen":
            say("listening %d" % ep.listen("127.0.0.1", 0))
        elif cmd == "peer":
            say("peered %s" % ep.peer("127.0.0.1", int(words[1]), float(words[2])))
        elif cmd == "unpeer":
            say("unpeered %s" % ep.unpeer("127.0.0.1", int(words[1])))
        elif cmd == "subscribe":
            subscribers.append(ep.make_subscriber(words[1]))
            say("subscribed %s" % words[1])
        elif cmd == "publish":
            if words[2] == "all_types":
                ep.publish(words[1], all_types_event())
            elif words[2] == "event_with_metadata":
                ep.publish(words[1], event_with_metadata())
            elif words[2] == "event":
                ep.publish(words[1], broker.zeek.Event(words[3], *words[4:]))
            else:
                ep.publish(words[1], " ".join(words[3:]))
            say("published")
        elif cmd == "echo":
            echoes[words[1]] = words[2]
            subscribers.append(ep.make_subscriber(words[1]))
            say("echoing")
        elif cmd == "quit":
            break
    stop.set()
    thread.join()


main()
