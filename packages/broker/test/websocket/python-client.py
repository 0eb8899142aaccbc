"""A WebSocket JSON API client written with Python's `websockets` (another stack than
ours), driven by python-client.test.ts. Prints one JSON line per step on stdout."""
import asyncio, json, sys
import websockets

port = int(sys.argv[1])
url = f'ws://127.0.0.1:{port}/v1/messages/json'

ALL_TYPES = [
    {'@data-type': 'none', 'data': {}},
    {'@data-type': 'boolean', 'data': True},
    {'@data-type': 'count', 'data': 18446744073709551615},
    {'@data-type': 'integer', 'data': -9223372036854775808},
    {'@data-type': 'real', 'data': -7.5},
    {'@data-type': 'string', 'data': 'Hello \u003cBroker\u003e!'},
    {'@data-type': 'address', 'data': '2001:db8::'},
    {'@data-type': 'subnet', 'data': '255.255.255.0/24'},
    {'@data-type': 'port', 'data': '8080/tcp'},
    {'@data-type': 'timestamp', 'data': '2023-11-14T22:13:20.123'},
    {'@data-type': 'timespan', 'data': '15ms'},
    {'@data-type': 'enum-value', 'data': 'foo'},
    {'@data-type': 'set', 'data': [{'@data-type': 'string', 'data': 'bar'}, {'@data-type': 'string', 'data': 'foo'}]},
    {'@data-type': 'table', 'data': [{'key': {'@data-type': 'string', 'data': 'first-name'}, 'value': {'@data-type': 'string', 'data': 'John'}}]},
    {'@data-type': 'vector', 'data': [{'@data-type': 'count', 'data': 1}]},
]

def out(step, **kw):
    print(json.dumps({'step': step, **kw}), flush=True)

async def main():
    async with websockets.connect(url, compression=None) as ws:
        await ws.send('["/py"]')
        out('ack', frame=await ws.recv())
        await ws.send(json.dumps({'type': 'data-message', 'topic': '/from-py', '@data-type': 'vector', 'data': ALL_TYPES}))
        await ws.send('{"topic": "/from-py", "@data-type": "phone", "data": "555-0123"}')
        out('error', frame=await ws.recv())
        out('ready')
        out('message', frame=await ws.recv())
    out('closed', code=ws.close_code)

asyncio.run(main())
