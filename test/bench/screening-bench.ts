/**
 * Screening figures for `npm run bench` (part `screening`): the browser's
 * figures come from test/web/bench/screening.bench.ts, run in headless
 * Chromium by web-test-runner on the real modules and the built worker
 * (it prints one `BENCH {…}` line per figure); the bytes are read here from
 * the build: the worker's chunk, the chunks it imports and the WASM
 * binaries, each gzipped, none of which the page loads before a call.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

type Report = (figure: string, data: object) => void;

/** What the screening worker loads, gzipped (-9), from web/dist and the build's chunk list. */
function screeningBytes(root: string): object {
  const web = join(root, 'web');
  const stats = JSON.parse(readFileSync(join(web, 'build', 'bundle-stats.json'), 'utf8')) as Array<{
    file: string;
    imports: string[];
    dynamicImports: string[];
  }>;
  const byFile = new Map(stats.map((c) => [c.file, c]));
  const worker = stats.find((c) => /^screening-worker-/.test(c.file));
  if (!worker) throw new Error('the build has no screening-worker chunk');
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const chunk = byFile.get(f);
    for (const i of [...(chunk?.imports ?? []), ...(chunk?.dynamicImports ?? [])]) visit(i);
  };
  visit(worker.file);
  const assets = join(web, 'dist', 'assets');
  const gz = (f: string) => gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
  const chunks = Object.fromEntries([...seen].map((f) => [f, gz(f)]));
  // The worker fetches one of the binaries (SIMD where the browser has it); all are listed.
  const wasm = Object.fromEntries(
    readdirSync(assets)
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => [f, gz(f)]),
  );
  const sum = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0);
  const simd = Object.entries(wasm).find(([f]) => /^tfjs-backend-wasm-simd-/.test(f))?.[1] ?? 0;
  return { unit: 'bytes (gzip -9)', workerAndWeights: sum(chunks), withSimdWasm: sum(chunks) + simd, chunks, wasm };
}

export function measureScreening(root: string, report: Report): void {
  report('screening-bytes', screeningBytes(root));
  const run = spawnSync(
    'npx',
    ['web-test-runner', '--config', 'test/web-test-runner.config.mjs', '--files', 'test/web/bench/screening.bench.ts'],
    { cwd: root, encoding: 'utf8', timeout: 600_000 },
  );
  const lines = `${run.stdout}\n${run.stderr}`.split('\n');
  const figures = lines.flatMap((l) => {
    const at = l.indexOf('BENCH {');
    return at < 0 ? [] : [JSON.parse(l.slice(at + 'BENCH '.length)) as { figure: string }];
  });
  for (const { figure, ...data } of figures) report(figure, data);
  if (run.status !== 0 || figures.length < 3) {
    throw new Error(
      `the screening bench page failed (exit ${run.status}): ${lines
        .filter((l) => /Error|fail/i.test(l))
        .slice(0, 5)
        .join(' | ')}`,
    );
  }
}
