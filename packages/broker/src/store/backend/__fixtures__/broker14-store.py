"""Drives a SQLite store file with Zeek Broker 1.4's Python bindings, for the interop tests.

Usage: broker14-store.py read PATH    attach a master to PATH, wait for Broker to expire the
                                      key "expired", print every entry, then modify entries
       broker14-store.py write PATH   attach a master to PATH and write values of every type

Prints one JSON document on stdout. Run it with /usr/bin/python3 (Debian's python3-broker).
"""
import datetime
import ipaddress
import json
import sys
import time

import broker


def listing(store):
    """Every entry as [key text, value type, value text], in Broker's text format."""
    raw = store._store
    rows = []
    for key in raw.keys().get().as_set():
        value = raw.get(key).get()
        rows.append([str(key), str(value.get_type()).split('.')[-1], str(value)])
    return sorted(rows)


def read(path):
    ep = broker.Endpoint()
    m = ep.attach_master('interop', broker.Backend.SQLite, {'path': path})
    # Broker re-arms stored expiries when the master starts; an expiry in the past fires at once.
    deadline = time.monotonic() + 20
    while m.exists('expired') and time.monotonic() < deadline:
        time.sleep(0.05)
    before = listing(m)
    m.increment('count', broker.Count(1))
    m.decrement('int', 10)
    m.append('str', '!')
    m.insert_into('set', 'z')
    m.remove_from('table', 'k')
    m.push('vec', 9)
    m.put('from-broker', broker.Count(7))
    # Queries are answered in order after the writes, so this one waits for all of them.
    m.get('from-broker')
    print(json.dumps({'expiredGone': not m.exists('expired'), 'entries': before}))


def write(path):
    ep = broker.Endpoint()
    m = ep.attach_master('interop', broker.Backend.SQLite, {'path': path})
    m.put('none', None)
    m.put('bool', True)
    m.put('count', broker.Count(42))
    m.put('int', -7)
    m.put('real', 1.5)
    m.put('str', 'h\u00e9llo')
    m.put('addr', ipaddress.ip_address('192.168.0.1'))
    m.put('addr6', ipaddress.ip_address('2001:db8::1'))
    m.put('subnet', ipaddress.ip_network('10.0.0.0/8'))
    m.put('port', broker.Port(80, broker.Port.TCP))
    m.put('ts', datetime.datetime(2020, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc))
    m.put('span', datetime.timedelta(seconds=1.5))
    m.put('enum', broker.Enum('Log::WRITER_ASCII'))
    m.put('set', {1, 2, 'a'})
    m.put('table', {'k': (1, 2)})
    m.put('vec', (broker.Count(1), 'x', (None,)))
    m.put(broker.Count(5), 'count key')
    m.put((1, 'a'), 'vector key')
    m.put('expiring', 'soon', 1000.0)
    m.increment('counter', broker.Count(3))
    m.get('counter')
    print(json.dumps({'written': True}))


if __name__ == '__main__':
    {'read': read, 'write': write}[sys.argv[1]](sys.argv[2])
