/**
 * The mechanism that skips tests whose requirement is missing (with the reason in the
 * summary) and fails them where the requirement is demanded (CI).
 */
import { decideRequirement, skipMarker } from '../../../tools/test-requirement';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SummaryReporter = require('../../../tools/jest-summary-reporter.js') as { summaryLines(results: unknown): string[] };

const met = (): undefined => undefined;
const absent = (): string => 'no such module';

test('a met requirement runs, a missing one skips, a missing required one fails', () => {
  expect(decideRequirement('x', met, {})).toEqual({ missing: undefined, outcome: 'run' });
  expect(decideRequirement('x', absent, {})).toEqual({ missing: 'no such module', outcome: 'skip' });
  expect(decideRequirement('x', absent, { BROKER_TS_REQUIRE: 'y, x' })).toEqual({ missing: 'no such module', outcome: 'fail' });
  expect(decideRequirement('x', absent, { BROKER_TS_REQUIRE: 'all' }).outcome).toBe('fail');
  expect(decideRequirement('x', absent, { BROKER_TS_REQUIRE: 'y' }).outcome).toBe('skip');
  // A check that throws counts as missing, with its message as the reason.
  expect(decideRequirement('x', () => { throw new Error('probe crashed'); }, {})).toEqual({ missing: 'probe crashed', outcome: 'skip' });
});

test('BROKER_TS_WITHOUT makes a met requirement missing, to try the skip path', () => {
  expect(decideRequirement('x', met, { BROKER_TS_WITHOUT: 'x' })).toEqual({ missing: 'turned off by BROKER_TS_WITHOUT', outcome: 'skip' });
  expect(decideRequirement('x', met, { BROKER_TS_WITHOUT: 'x', BROKER_TS_REQUIRE: 'x' }).outcome).toBe('fail');
});

test('each missing requirement is named once with its reason, then the summary line counts the skips', () => {
  const pending = (title: string) => ({ status: 'pending', title });
  const results = {
    numPassedTests: 5,
    numFailedTests: 1,
    numRuntimeErrorTestSuites: 0,
    numPendingTests: 3,
    numTodoTests: 0,
    testResults: [
      { testResults: [pending(`reads a file ${skipMarker('python3-broker', '/usr/bin/python3 cannot import broker')}`), pending(`writes a file ${skipMarker('python3-broker', '/usr/bin/python3 cannot import broker')}`)] },
      { testResults: [{ status: 'passed', title: 'ok' }, pending(`in a browser ${skipMarker('chromium', 'no chromium on PATH')}`)] },
    ],
  };
  // The count comes last: CI reads the run's closing line.
  expect(SummaryReporter.summaryLines(results)).toEqual([
    'skipped 2 (requires python3-broker): /usr/bin/python3 cannot import broker',
    'skipped 1 (requires chromium): no chromium on PATH',
    '5 passed, 1 failed, 3 skipped',
  ]);
});
