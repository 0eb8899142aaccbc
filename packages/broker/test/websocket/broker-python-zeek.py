"""A native Broker endpoint (the newest Broker's Python bindings) with its WebSocket
port open (BROKER_WEB_SOCKET_PORT), driven by live-broker.test.ts: it receives a Zeek
event natively from a WebSocket client, then publishes one natively back. One JSON line
per step on stdout."""
import datetime, json, sys
import broker

opts = broker.BrokerOptions()
opts.disable_ssl = True
opts.ignore_broker_conf = True
with broker.Endpoint(broker.Configuration(opts)) as ep:
    sub = ep.make_subscriber('/zeek/to-native')
    print(json.dumps({'step': 'ready'}), flush=True)
    topic, data = sub.get()
    ev = broker.zeek.Event(data)
    meta = [[int(k), str(v)] for k, v in (ev.metadata() or [])]
    print(json.dumps({'step': 'received', 'topic': topic, 'name': ev.name(), 'args': [str(a) for a in ev.args()], 'metadata': meta}), flush=True)
    ts = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    ep.publish('/zeek/to-ws', broker.zeek.Event('native::pong', broker.Count(42), 'from-native', metadata={1: ts}))
    print(json.dumps({'step': 'published'}), flush=True)
    sys.stdin.read()  # until the test closes our stdin
