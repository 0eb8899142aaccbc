/**
 * Prints one line per requirement that made tests skip, with its reason (see
 * tools/test-requirement.ts), then one plain `N passed, N failed, N skipped` line as the
 * very last output of the run, which CI reads to count the tests (jest's own summary is
 * not recognised there).
 */
const MARKER = /\[skipped: requires ([^:\]]+): ([^\]]*)\]/;

/**
 * The lines to print for a run's aggregated results.
 * @param {import('@jest/test-result').AggregatedResult} results
 * @returns {string[]}
 */
function summaryLines(results) {
  const skipped = results.numPendingTests + results.numTodoTests;
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  const lines = [];
  const reasons = new Map();
  for (const file of results.testResults ?? []) {
    for (const t of file.testResults ?? []) {
      // The marker is in the test's title, or in a skipped group's (describe) title.
      const m = t.status === 'pending' ? MARKER.exec([...(t.ancestorTitles ?? []), t.title].join(' ')) : null;
      if (m === null) continue;
      const entry = reasons.get(m[1]) ?? { reason: m[2], tests: 0 };
      entry.tests++;
      reasons.set(m[1], entry);
    }
  }
  for (const [name, { reason, tests }] of reasons) lines.push(`skipped ${tests} (requires ${name}): ${reason}`);
  lines.push(`${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
  return lines;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const text = summaryLines(results).join('\n');
    process.once('exit', () => process.stdout.write(`${text}\n`));
  }
}
SummaryReporter.summaryLines = summaryLines;
module.exports = SummaryReporter;
