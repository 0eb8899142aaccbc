/**
 * Bundles the example page for browsers with esbuild: `npx tsx build.ts [outdir]` writes
 * `main.js` beside a copy of `index.html`. The bundle must not reach any Node module.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';

const here = __dirname;
const broker = path.join(here, '../..');

/**
 * Builds the page into `outdir`.
 * @returns esbuild's metafile (which inputs went in)
 */
export async function buildExample(outdir: string): Promise<Metafile> {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(here, 'main.ts')],
    outfile: path.join(outdir, 'main.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: broker,
    conditions: ['@broker-ts/source'],
    alias: { '@broker-ts/broker/web-socket-client': path.join(broker, 'src/websocket/browser.ts') },
    nodePaths: [path.join(broker, 'node_modules')],
  });
  copyFileSync(path.join(here, 'index.html'), path.join(outdir, 'index.html'));
  return result.metafile;
}

if (require.main === module) {
  const out = process.argv[2] ?? path.join(here, 'dist');
  buildExample(out).then(
    (meta) => console.log(`wrote ${out}/main.js (${Object.values(meta.outputs)[0].bytes} bytes)`),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
