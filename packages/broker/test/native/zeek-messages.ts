/**
 * One of each of Zeek's messages, the same values that `zeek_messages()` of
 * capture/broker_values.py builds with Broker's Python bindings.
 */
import { count, type Data, enumValue, set, subnet, table, timestamp, type ZeekMessage, zeekMessageToData } from '@broker-ts/broker';

const stream = enumValue('Conn::LOG');
const writer = enumValue('Log::WRITER_ASCII');

const event: ZeekMessage = {
  kind: 'event',
  name: 'Broker::ping',
  args: [count(7n), 'x'],
  metadata: [
    [1, timestamp(1_704_164_645_000_000_000n)],
    [200, 'user'],
  ],
};

const identifierUpdate: ZeekMessage = { kind: 'identifierUpdate', idName: 'Site::local_nets', idValue: set([subnet('10.0.0.0/8')]) };

/** The messages by python-endpoint.py's kind names, in the order Broker publishes them. */
export const ZEEK_MESSAGES: ReadonlyArray<readonly [string, ZeekMessage]> = [
  ['event', event],
  [
    'log_create',
    {
      kind: 'logCreate',
      streamId: stream,
      writerId: writer,
      writerInfo: ['conn', 0.0, 3600.0, 1_704_164_645.0, table([['tsv', 'F']])],
      fieldsData: [
        ['ts', null, count(6n), count(0n), false],
        ['uid', null, count(7n), count(0n), true],
      ],
    },
  ],
  ['log_write', { kind: 'logWrite', streamId: stream, writerId: writer, path: 'conn', serialData: Uint8Array.from([0, 1, ...Buffer.from('serialized'), 0xff, 0xfe]) }],
  ['identifier_update', identifierUpdate],
  ['batch', { kind: 'batch', messages: [event, identifierUpdate] }],
];

/** {@link ZEEK_MESSAGES} as Broker data. */
export const ZEEK_MESSAGE_DATA: ReadonlyArray<readonly [string, Data]> = ZEEK_MESSAGES.map(([kind, msg]) => [kind, zeekMessageToData(msg)] as const);
