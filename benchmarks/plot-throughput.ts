/**
 * Writes the throughput chart (`benchmarks/throughput.svg`) from the JSON results that
 * `throughput.ts` saved.
 *
 *   tsx --conditions=@broker-ts/source benchmarks/plot-throughput.ts [results.json] [out.svg]
 *
 * Defaults: benchmarks/out/throughput.json → benchmarks/throughput.svg.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ThroughputReport } from './throughput/throughput-report';
import { renderThroughputSvg } from './throughput/throughput-svg';

function main(): void {
  const [input = join(__dirname, 'out', 'throughput.json'), output = join(__dirname, 'throughput.svg')] = process.argv.slice(2);
  let report: ThroughputReport;
  try {
    report = JSON.parse(readFileSync(input, 'utf8')) as ThroughputReport;
  } catch (error) {
    console.error(`cannot read ${input}: ${(error as Error).message} (run benchmarks/throughput.ts first)`);
    process.exit(1);
  }
  if (!Array.isArray(report.rows) || report.rows.length === 0) {
    console.error(`${input} has no result rows`);
    process.exit(1);
  }
  writeFileSync(output, renderThroughputSvg(report));
  console.error(`wrote ${output}`);
}

main();
