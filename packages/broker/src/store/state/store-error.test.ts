import { BrokerError } from '@broker-ts/data';
import { errorCodeOf, refusedByMaster, rejectedWrite, writeError } from './store-error';
import { writeCommands as W } from './write-command';

describe('store write errors', () => {
  test('keep the code of a BrokerError cause and name the store, operation and key', () => {
    const e = rejectedWrite('s', W.append('k', 'x'), new BrokerError('type_clash', 'cannot add string to count'));
    expect(e.code).toBe('type_clash');
    expect(e.message).toBe("store 's': add on key k failed: cannot add string to count");
    expect(e.context).toEqual({ store: 's', op: 'add', key: 'k', publisher: null });
  });

  test('turn any other cause into backend_failure', () => {
    expect(rejectedWrite('s', W.clear(), new Error('disk full'))).toMatchObject({ code: 'backend_failure', message: "store 's': clear failed: disk full" });
    expect(writeError('s', W.erase('k'), 'no_such_master', 'gone').code).toBe('no_such_master');
  });

  test('an unknown code from the wire becomes unspecified', () => {
    expect(errorCodeOf('type_clash')).toBe('type_clash');
    expect(errorCodeOf('bogus')).toBe('unspecified');
  });

  test("a clone reports the master's refusal with the master's code and message, once", () => {
    const master = rejectedWrite('s', W.append('k', 'x'), new BrokerError('type_clash', 'cannot add string to count'));
    const e = refusedByMaster('s', W.append('k', 'x'), master.code, master.message);
    expect(e).toMatchObject({ code: 'type_clash', message: "store 's': add on key k failed: cannot add string to count" });
    expect(e.context).toEqual({ store: 's', op: 'add', key: 'k', publisher: null });
    expect(refusedByMaster('s', W.clear(), 'bogus', 'x').code).toBe('unspecified');
  });
});
