import { ExitReasons } from './exit-reason';

describe('ExitReasons', () => {
  test('only normal is not abnormal', () => {
    expect(ExitReasons.isAbnormal(ExitReasons.normal)).toBe(false);
    for (const r of [ExitReasons.kill, ExitReasons.shutdown, ExitReasons.unknown, ExitReasons.error('x'), ExitReasons.unreachable('n')]) expect(ExitReasons.isAbnormal(r)).toBe(true);
  });

  test('describe prints the kind, the error message or the lost node', () => {
    expect(ExitReasons.describe(ExitReasons.error(new Error('boom')))).toBe('error: boom');
    expect(ExitReasons.describe(ExitReasons.error('plain'))).toBe('error: plain');
    expect(ExitReasons.describe(ExitReasons.unreachable('node-7'))).toBe('unreachable: node-7');
    expect(ExitReasons.describe(ExitReasons.kill)).toBe('kill');
  });
});
