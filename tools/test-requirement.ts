/**
 * Tests that need something a fresh machine may lack (a Debian package such as
 * python3-broker, a newer Broker build, a browser) declare it with {@link requirement}.
 * Where it is missing, their tests are skipped and say why: the title carries
 * `[skipped: requires <name>: <reason>]`, which tools/jest-summary-reporter.js prints under
 * the summary line. Where it must be present (CI), a missing requirement fails the tests.
 *
 * Environment:
 * - `BROKER_TS_REQUIRE=name,name` (or `all`): these requirements must be met; a missing one
 *   is a failure, not a skip. `.ci/run` sets it.
 * - `BROKER_TS_WITHOUT=name,name`: treat these as missing (to try the skip path on a
 *   machine that has them).
 */

/** What {@link requirement} decided for this run. */
export interface Requirement {
  /** The requirement's name, e.g. `python3-broker`. */
  readonly name: string;
  /** Why it is missing, or undefined when it is met. */
  readonly missing: string | undefined;
  /** `run` when met, `skip` when missing, `fail` when missing but required. */
  readonly outcome: 'run' | 'skip' | 'fail';
  /** Declares a test that runs only when the requirement is met (jest's `test`). */
  test(name: string, fn: jest.ProvidesCallback, timeout?: number): void;
  /** Declares a group of tests that run only when the requirement is met (jest's `describe`). */
  describe(name: string, fn: () => void): void;
}

function listed(variable: string | undefined, name: string): boolean {
  if (variable === undefined) return false;
  const names = variable.split(',').map((s) => s.trim());
  return names.includes(name) || names.includes('all');
}

/**
 * Decides what tests that need `name` do in this run.
 * @param name - the requirement's name, as in `BROKER_TS_REQUIRE`
 * @param check - returns undefined when the requirement is met, else why it is missing
 * @param env - the environment (default `process.env`)
 */
export function decideRequirement(name: string, check: () => string | undefined, env: NodeJS.ProcessEnv = process.env): Pick<Requirement, 'missing' | 'outcome'> {
  let missing: string | undefined;
  if (listed(env.BROKER_TS_WITHOUT, name)) missing = 'turned off by BROKER_TS_WITHOUT';
  else {
    try {
      missing = check();
    } catch (e) {
      missing = e instanceof Error ? e.message : String(e);
    }
  }
  if (missing === undefined) return { missing, outcome: 'run' };
  return { missing, outcome: listed(env.BROKER_TS_REQUIRE, name) ? 'fail' : 'skip' };
}

/** The title marker that the summary reporter reads. */
export function skipMarker(name: string, missing: string): string {
  return `[skipped: requires ${name}: ${missing.replace(/\s+/g, ' ').replace(/]/g, ')')}]`;
}

/**
 * Declares a requirement of some tests (call it at the top level of a test file).
 * @param name - short name, e.g. `python3-broker`
 * @param check - synchronous check: undefined when met, else why it is missing
 */
export function requirement(name: string, check: () => string | undefined): Requirement {
  const { missing, outcome } = decideRequirement(name, check);
  return {
    name,
    missing,
    outcome,
    test(title, fn, timeout) {
      if (outcome === 'run') test(title, fn, timeout);
      else if (outcome === 'fail') {
        test(title, () => {
          throw new Error(`${name} is required here (BROKER_TS_REQUIRE) but missing: ${missing}`);
        });
      } else test.skip(`${title} ${skipMarker(name, missing!)}`, () => undefined);
    },
    describe(title, fn) {
      if (outcome === 'run') describe(title, fn);
      else if (outcome === 'fail') {
        describe(title, () => {
          test('its requirement is met', () => {
            throw new Error(`${name} is required here (BROKER_TS_REQUIRE) but missing: ${missing}`);
          });
        });
      } else describe.skip(`${title} ${skipMarker(name, missing!)}`, fn);
    },
  };
}
