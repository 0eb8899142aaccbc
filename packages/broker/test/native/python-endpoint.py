"""A Broker endpoint driven line by line through Broker's Python bindings, for the
tests of broker-ts endpoints peering with the newest Broker.

Usage: python3 python-endpoint.py [--disable-ssl] [--cert FILE --key FILE (--cafile FILE | --capath DIR) [--passphrase TEXT]]

Commands on stdin, one per line (answers on stdout, one line each):
  listen                    -> "listening PORT"
  peer PORT RETRY_SECONDS   -> "peered True|False"
  unpeer PORT               -> "unpeered True|False"
  subscribe TOPIC           -> "subscribed TOPIC"
  publish TOPIC all_types   -> "published"  (a Zeek event holding every Broker type)
  publish TOPIC event_with_metadata -> "published"  (Zeek event "ping" with a network time)
  publish TOPIC event NAME ARGS...  -> "published"  (Zeek event NAME with string arguments)
  publish TOPIC text WORDS  -> "published"  (the string WORDS)
  publish TOPIC zeek_messages -> "published" (one of each Zeek message, broker_values.zeek_messages)
  check_zeek TOPIC          -> "checking"   (then one line per message received on TOPIC:
                               "zeek KIND" when it equals that message of zeek_messages and
                               Broker's own parser accepts its events, else "zeek-mismatch VALUE")
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
from broker_values import all_types_event, zeek_messages  # noqa: E402

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
    for flag, key in (
        ("--cert", "certificate"),
        ("--key", "key"),
        ("--cafile", "cafile"),
        ("--capath", "capath"),
        ("--passphrase", "passphrase"),
    ):
        if flag in args:
            setattr(cfg, "openssl_" + key, args[args.index(flag) + 1])
    return broker.Endpoint(cfg)


def events_of(value):
    """The events in a Zeek message (itself, or those of a batch), as Broker parses them."""
    kind = value[1] if isinstance(value, tuple) and len(value) == 3 else None
    if kind == broker.Count(1):
        return [broker.zeek.Event(value)]
    if kind == broker.Count(5):
        return [e for m in value[2] for e in events_of(m)]
    return []


def check_zeek(value):
    """Names the Zeek message of zeek_messages() that `value` is, or reports a mismatch."""
    for kind, expected in zeek_messages():
        if broker.Data.to_py(broker.Data(expected)) == value:
            if all(e.valid() for e in events_of(value)):
                names = " ".join(e.name() for e in events_of(value))
                return ("zeek %s %s" % (kind, names)).rstrip()
            return "zeek-mismatch invalid event %s" % (value,)
    return "zeek-mismatch %s" % (value,)


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
    checkers = set()
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
                    if sub in checkers:
                        say(check_zeek(value))
                        continue
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
            elif words[2] == "zeek_messages":
                for _, value in zeek_messages():
                    ep.publish(words[1], value)
            elif words[2] == "event_with_metadata":
                ep.publish(words[1], event_with_metadata())
            elif words[2] == "event":
                ep.publish(words[1], broker.zeek.Event(words[3], *words[4:]))
            else:
                ep.publish(words[1], " ".join(words[3:]))
            say("published")
        elif cmd == "check_zeek":
            sub = ep.make_subscriber(words[1])
            checkers.add(sub)
            subscribers.append(sub)
            say("checking")
        elif cmd == "echo":
            echoes[words[1]] = words[2]
            subscribers.append(ep.make_subscriber(words[1]))
            say("echoing")
        elif cmd == "quit":
            break
    stop.set()
    thread.join()


main()
