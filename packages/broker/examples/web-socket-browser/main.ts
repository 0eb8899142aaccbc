/**
 * A page that subscribes to a Broker (or Zeek, or broker-ts) WebSocket port and shows
 * every event as it arrives, with each argument's Broker type. The page takes the
 * server from its URL: `index.html?url=ws://127.0.0.1:9997/v1/messages/json&topic=/zeek/events`.
 */
import { connectWebSocket, count, parseZeekMessage, toString, typeOf, zeekEvent } from '@broker-ts/broker/web-socket-client';

const params = new URLSearchParams(location.search);
const url = params.get('url') ?? `ws://${location.hostname}:9997/v1/messages/json`;
const topic = params.get('topic') ?? '/zeek/events';
const state = document.getElementById('state')!;
const list = document.getElementById('events')!;

function show(topicText: string, text: string, types: string[]): void {
  const li = document.createElement('li');
  li.dataset.types = types.join(',');
  const t = document.createElement('span');
  t.className = 'topic';
  t.textContent = topicText;
  li.append(t, text);
  list.append(li);
}

async function main(): Promise<void> {
  const client = await connectWebSocket(url, { topics: [topic], retry: 1000, onError: (e) => (state.textContent = `error: ${e.message}`) });
  state.textContent = `subscribed to ${topic} at ${client.server?.endpoint}`;
  // Say hello, as a Zeek event with a count argument.
  client.publish(`${topic}/browser`, zeekEvent('browser::hello', [count(1), navigator.userAgent.includes('Chrome') ? 'chromium' : 'browser']));
  for await (const [t, value] of client) {
    try {
      const msg = parseZeekMessage(value);
      if (msg.kind === 'event') show(t, `${msg.name}(${msg.args.map((a) => toString(a)).join(', ')})`, msg.args.map((a) => typeOf(a)));
      else show(t, `${msg.kind}: ${toString(value)}`, [typeOf(value)]);
    } catch {
      show(t, toString(value), [typeOf(value)]);
    }
  }
}

main().catch((e: Error) => {
  state.textContent = `failed: ${e.message}`;
});
