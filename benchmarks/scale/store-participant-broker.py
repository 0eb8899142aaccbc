"""One side of the store curve of benchmarks/scale.ts with Broker's Python bindings (Broker
1.4 from Debian's python3-broker, or a newer build on PYTHONPATH), in its own process.

Speaks the protocol of store-participant.ts: JSON commands on stdin, one a line, each
answered with `result <json>` (or `failed <message>`) on stdout. Run with /usr/bin/python3.
"""
import json
import random
import sys
import time

import broker

STORE = 'scale'


def key(i):
    return 'key-%d' % i


def value(i):
    # The value of store-participant.ts: [count, "conn", 10.0.0.1, 80/tcp].
    import ipaddress
    return (broker.Count(i), 'conn', ipaddress.ip_address('10.0.0.1'), broker.Port(80, broker.Port.TCP))


def memory():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return {'rss': int(line.split()[1]) * 1024, 'heap': None}
    return {'rss': None, 'heap': None}


def ms_since(t0):
    return (time.monotonic() - t0) * 1000


def until(store, k, t0, timeout=300.0):
    """Polls until the store holds k. A clone without its master yet answers a query with
    an error, which the bindings raise (\"invalid type found\"): polled again."""
    last = None
    while True:
        try:
            if store.exists(k):
                return ms_since(t0)
        except Exception as e:
            last = e
        if time.monotonic() - t0 > timeout:
            raise RuntimeError('store did not get %s within %d s (%s)' % (k, timeout, last))
        time.sleep(0.005)


class Participant:
    def __init__(self):
        self.ep = broker.Endpoint()
        self.store = None
        self.idle = memory()

    def master(self, c):
        n = c['keys']
        t0 = time.monotonic()
        kind = {'memory': broker.Backend.Memory, 'sqlite': broker.Backend.SQLite}[c['backend']]
        options = {'path': c['path']} if 'path' in c else {}
        s = self.ep.attach_master(STORE, kind, options)
        self.store = s
        if c['backend'] == 'memory':
            for i in range(n):
                s.put(key(i), value(i))
                if i % 8192 == 8191:
                    s.exists('x')
        if not s.exists(key(n - 1)):
            raise RuntimeError('the master lacks %s' % key(n - 1))
        fill = ms_since(t0)
        port = self.ep.listen('127.0.0.1', 0)
        return {'port': port, 'fillMs': fill, 'idle': self.idle, 'loaded': memory()}

    def rates(self, c):
        s = self.store
        n = c['keys']
        budget = c['ms'] / 1000.0
        rnd = random.Random(1)
        puts = 0
        burst = 16
        p0 = time.monotonic()
        while time.monotonic() - p0 < budget:
            for _ in range(burst):
                i = rnd.randrange(n)
                s.put(key(i), value(i + puts))
            s.exists('x')
            puts += burst
            if time.monotonic() - p0 < budget / 4:
                burst = min(burst * 2, 4096)
        put_rate = puts / (time.monotonic() - p0)
        gets = 0
        g0 = time.monotonic()
        while time.monotonic() - g0 < budget:
            for _ in range(64):
                if s.get(key(rnd.randrange(n))) is None:
                    raise RuntimeError('a get missed')
            gets += 64
        return {'put': put_rate, 'get': gets / (time.monotonic() - g0)}

    def clone(self, c):
        t0 = time.monotonic()
        if not self.ep.peer('127.0.0.1', c['port'], 1):
            raise RuntimeError('cannot peer with 127.0.0.1:%d' % c['port'])
        self.store = self.ep.attach_clone(STORE)
        attach = until(self.store, key(c['keys'] - 1), t0, c['timeoutMs'] / 1000.0)
        return {'attachMs': attach, 'idle': self.idle, 'loaded': memory()}

    def loopDelay(self, c):
        # Python's Broker runs its event loops in C++ threads: nothing comparable to report.
        return {'maxMs': None}

    def unpeer(self, c):
        self.ep.unpeer('127.0.0.1', c['port'])
        while self.ep.peers():
            time.sleep(0.005)
        return {}

    def update(self, c):
        self.store.put(c['key'], broker.Count(1))
        self.store.exists('x')
        return {}

    def repeer(self, c):
        t0 = time.monotonic()
        if not self.ep.peer('127.0.0.1', c['port'], 1):
            raise RuntimeError('cannot peer again with 127.0.0.1:%d' % c['port'])
        return {'resyncMs': until(self.store, c['key'], t0, c['timeoutMs'] / 1000.0)}


def main():
    p = Participant()
    for line in sys.stdin:
        c = json.loads(line)
        if c['op'] == 'stop':
            break
        try:
            out = 'result ' + json.dumps(getattr(p, c['op'])(c))
        except Exception as e:  # reported to the runner, which fails the row
            out = 'failed ' + str(e).replace('\n', ' ')
        sys.stdout.write(out + '\n')
        sys.stdout.flush()
    p.ep.shutdown()


if __name__ == '__main__':
    main()
