"""Values shared by the Python Broker peers of the tests (python-peers.py,
../python-endpoint.py)."""

import datetime
import ipaddress

import broker
import broker.zeek


def all_types_event():
    return broker.zeek.Event(
        "all_types",
        None,
        True,
        broker.Count(42),
        -7,
        2.5,
        "text",
        ipaddress.IPv4Address("192.168.1.1"),
        ipaddress.IPv6Network("2001:db8::/32"),
        broker.Port(443, broker.Port.TCP),
        datetime.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=datetime.timezone.utc),
        datetime.timedelta(seconds=1, microseconds=500),
        broker.Enum("Foo::BAR"),
        {broker.Count(1), broker.Count(2)},
        {"k": broker.Count(1), "j": broker.Count(2)},
        (1, "x", (2.0, None)),
    )
