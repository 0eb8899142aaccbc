"""A Broker data store master or clone, driven through Broker's Python bindings, for
native-stores.test.ts.

Usage: python3 python-store.py ROLE PORT [tls]
  ROLE master  attach a master of store "s" (memory backend), listen on 127.0.0.1:PORT
                 (0: any port)
  ROLE clone   peer with 127.0.0.1:PORT (retrying), then attach a clone of store "s"
  tls          Broker's default (anonymous) TLS instead of plain TCP (disable_ssl)
Prints one JSON object per line:
  {"ready": true, "port": P, "id": ID}  once set up (a clone: once peered)
  {"event": [...]}                       each store event of "s" (the store's events topic)
  {"done": OP, "result": ...}            after each command
Reads one JSON command per line on stdin, {"op": ..., ...}:
  put {key, value, expiry?}, put_unique {key, value, expiry?}, erase {key}, clear,
  increment / decrement {key, amount}, get {key}, keys, await_idle {timeout?}, quit
Values in JSON: strings, integers (Broker integer), booleans, null, floats, and
{"count": n}, {"set": [...]}, {"table": [[k, v], ...]}, {"vector": [...]},
{"timespan": seconds}, {"real": "-0.0"} (a float from its text: JS writes -0 as 0).
Results and events use the same form.
"""

import datetime
import json
import sys
import threading
import time

import broker

lock = threading.Lock()


def say(obj):
    with lock:
        print(json.dumps(obj, sort_keys=True), flush=True)


def from_json(x):
    if isinstance(x, dict):
        if "count" in x:
            return broker.Count(x["count"])
        if "set" in x:
            return {from_json(i) for i in x["set"]}
        if "table" in x:
            return {from_json(k): from_json(v) for k, v in x["table"]}
        if "vector" in x:
            return tuple(from_json(i) for i in x["vector"])
        if "timespan" in x:
            return datetime.timedelta(seconds=x["timespan"])
        if "real" in x:
            return float(x["real"])
        raise ValueError("unknown value " + json.dumps(x))
    return x


def to_json(x):
    if x is None or isinstance(x, (bool, str, float)):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, broker.Count):
        return {"count": x.value}
    if isinstance(x, datetime.timedelta):
        return {"timespan": x.total_seconds()}
    if isinstance(x, (set, frozenset)):
        return {"set": sorted((to_json(i) for i in x), key=json.dumps)}
    if isinstance(x, dict):
        return {"table": sorted(([to_json(k), to_json(v)] for k, v in x.items()), key=json.dumps)}
    if isinstance(x, (tuple, list)):
        return [to_json(i) for i in x]
    return repr(x)


def events(ep):
    sub = ep.make_subscriber("<$>/local/data/store-events/s", 4096)
    while True:
        for _topic, data in sub.get(64, 0.1):
            say({"event": to_json(data)})


def main():
    role, port = sys.argv[1], int(sys.argv[2])
    opts = broker.BrokerOptions()
    opts.disable_ssl = not (len(sys.argv) > 3 and sys.argv[3] == "tls")
    ep = broker.Endpoint(broker.Configuration(opts))
    threading.Thread(target=events, args=(ep,), daemon=True).start()
    if role == "master":
        store = ep.attach_master("s", broker.Backend.Memory)
        port = ep.listen("127.0.0.1", port)
    else:
        deadline = time.time() + 60
        while not ep.peer("127.0.0.1", port, 1):
            if time.time() > deadline:
                raise SystemExit("cannot peer with port %d" % port)
        store = ep.attach_clone("s")
    say({"ready": True, "port": port, "id": str(ep.node_id())})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        op = cmd["op"]
        result = None
        key = from_json(cmd.get("key"))
        expiry = cmd.get("expiry")
        if op == "put":
            store.put(key, from_json(cmd["value"]), expiry)
        elif op == "put_unique":
            result = store.put_unique(key, from_json(cmd["value"]), expiry)
        elif op == "erase":
            store.erase(key)
        elif op == "clear":
            store.clear()
        elif op == "increment":
            store.increment(key, from_json(cmd["amount"]), expiry)
        elif op == "decrement":
            store.decrement(key, from_json(cmd["amount"]), expiry)
        elif op == "get":
            result = to_json(store.get(key))
        elif op == "keys":
            result = to_json(store.keys())
        elif op == "await_idle":
            result = bool(store.await_idle(cmd.get("timeout", 30)))
        elif op == "quit":
            say({"done": op, "result": None})
            return
        else:
            raise SystemExit("unknown op " + op)
        say({"done": op, "result": result})


main()
