/**
 * A client written with another WebSocket stack (Debian's python3-websockets, run by
 * /usr/bin/python3) against our server: ack, all 15 types in, an error reply, a message
 * out, and a clean close.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { count, encodeJsonDataMessage, Endpoint, equals, type Data } from '@broker-ts/broker';
import { ALL_TYPES } from './all-types';
import { python3Websockets, SYSTEM_PYTHON } from '../../../../tools/requirements';

jest.setTimeout(60_000);

const PYTHON = SYSTEM_PYTHON;
const websockets = python3Websockets();

websockets.test('a python-websockets client gets the ack, publishes every type, gets Broker\'s error reply and receives a message', async () => {
  const ep = new Endpoint({ name: 'ws' });
  try {
    const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
    const sub = ep.makeSubscriber('/from-py');
    const proc = spawn(PYTHON, [path.join(__dirname, 'python-client.py'), String(wsPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    const steps: Record<string, { frame?: string; code?: number }> = {};
    const outbound = [count(1), 'two', [3n]] as Data;
    for await (const line of createInterface({ input: proc.stdout })) {
      const step = JSON.parse(line) as { step: string; frame?: string; code?: number };
      steps[step.step] = step;
      if (step.step === 'ready') ep.publish('/py/x', outbound);
    }
    expect({ exit: await exited, stderr }).toEqual({ exit: 0, stderr: '' });
    expect(steps.ack.frame).toBe(`{"type":"ack","endpoint":"${ep.id}","version":"2.8.0"}`);
    expect(steps.error.frame).toBe('{"type":"error","code":"deserialization_failed","context":"input #2 contained invalid data"}');
    expect(steps.message.frame).toBe(encodeJsonDataMessage('/py/x', outbound));
    expect(steps.closed.code).toBe(1000);
    const [topic, value] = (await sub.get({ timeout: 20_000 }))!;
    expect(topic).toBe('/from-py');
    const got = value as Data[];
    expect(got).toHaveLength(15);
    // The same values as ALL_TYPES where the Python script uses them; each decodes type-exact.
    expect(got.map((v) => (v === null ? 'none' : Object.getPrototypeOf(v)?.constructor?.name ?? typeof v))).toEqual([
      'none', 'Boolean', 'Count', 'BigInt', 'Number', 'String', 'Address', 'Subnet', 'Port', 'Timestamp', 'Timespan', 'EnumValue', 'BrokerSet', 'BrokerTable', 'Array',
    ]);
    expect(equals(got[2], ALL_TYPES[2][1])).toBe(true);
    expect(equals(got[3], ALL_TYPES[3][1])).toBe(true);
  } finally {
    await ep.shutdown();
  }
});
