"""Broker endpoints driven through Broker's Python bindings, for capture-fixtures.ts.

Usage: python3 python-peers.py ROLE PORT
  master       listen on PORT with a master store "s"; after a line "go" on stdin,
               run every store operation, wait for the expiry, print "done"
  clone        peer with PORT, attach a clone of "s"; after "go", issue put_unique,
               put, increment, decrement and erase through the clone, print "done"
  publisher    peer with PORT; after "go", publish a Zeek event holding every Broker
               type to /test, subscribe to /late, print "done"
Each role prints "ready" once set up and exits when stdin closes. Plain TCP only.
"""

import datetime
import sys
import time

import broker
import broker.zeek
from broker_values import all_types_event


def endpoint():
    opts = broker.BrokerOptions()
    opts.disable_ssl = True
    return broker.Endpoint(broker.Configuration(opts))


def wait_for(word):
    for line in sys.stdin:
        if line.strip() == word:
            return
    sys.exit(0)


def say(word):
    print(word, flush=True)


def main():
    role, port = sys.argv[1], int(sys.argv[2])
    ep = endpoint()
    if role == "master":
        m = ep.attach_master("s", broker.Backend.Memory)
        ep.listen("127.0.0.1", port)
        say("ready")
        wait_for("go")
        m.put("k1", broker.Count(1))
        m.put("k2", "short-lived", 1.0)
        m.put_unique("k3", 3)
        m.increment("n", 5)
        m.decrement("n", 2)
        m.append("str", "abc")
        m.insert_into("set", "a")
        m.insert_into("tbl", "key", "value")
        m.push("vec", 1)
        m.remove_from("set", "a")
        m.pop("vec")
        m.erase("k1")
        m.await_idle()
        # The master expires k2 after a second (an expire command to the clones).
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=20)
        while m.exists("k2") and datetime.datetime.now() < deadline:
            time.sleep(0.05)
        m.clear()
        m.await_idle()
        say("done")
    elif role == "clone":
        ep.peer("127.0.0.1", port, 1)
        c = ep.attach_clone("s")
        say("ready")
        wait_for("go")
        say("inserted=%s" % c.put_unique("u", 1))
        c.put("from-clone", 2)
        c.increment("counter", 3)
        c.decrement("counter", 1)
        c.erase("from-clone")
        c.await_idle()
        say("done")
    elif role == "publisher":
        ep.peer("127.0.0.1", port, 1)
        say("ready")
        wait_for("go")
        ep.publish("/test", all_types_event())
        # A new subscription after the handshake reaches peers as a ROUTING_UPDATE.
        late = ep.make_subscriber("/late")  # noqa: F841
        say("done")
        wait_for("quit")
        return
    else:
        raise SystemExit("unknown role " + role)
    wait_for("quit")


main()
