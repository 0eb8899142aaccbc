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


def zeek_messages():
    """One of each of Zeek's messages (libbroker/broker/zeek.hh: (format 1, type,
    content)), as Zeek sends them. The bindings build events; the log, identifier and
    batch messages have no Python class, so they are written out as Broker data in the
    layout of zeek.hh. Returns (kind, value) pairs."""
    network_time = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    stream = broker.Enum("Conn::LOG")
    writer = broker.Enum("Log::WRITER_ASCII")
    event = broker.zeek.Event(
        "Broker::ping", broker.Count(7), "x", metadata={1: network_time, 200: "user"}
    )
    writer_info = ("conn", 0.0, 3600.0, 1704164645.0, {"tsv": "F"})
    fields = (
        ("ts", None, broker.Count(6), broker.Count(0), False),
        ("uid", None, broker.Count(7), broker.Count(0), True),
    )
    log_create = (broker.Count(1), broker.Count(2), (stream, writer, writer_info, fields))
    log_write = (
        broker.Count(1),
        broker.Count(3),
        (stream, writer, "conn", b"\x00\x01serialized\xff\xfe"),
    )
    identifier_update = (
        broker.Count(1),
        broker.Count(4),
        ("Site::local_nets", {ipaddress.IPv4Network("10.0.0.0/8")}),
    )
    batch = (broker.Count(1), broker.Count(5), (event, identifier_update))
    return [
        ("event", event),
        ("log_create", log_create),
        ("log_write", log_write),
        ("identifier_update", identifier_update),
        ("batch", batch),
    ]
