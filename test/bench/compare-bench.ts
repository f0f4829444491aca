/**
 * Compare mode of `npm run bench` (scripts/parley.mjs runs this when
 * PARLEY_BENCH_BASELINE is set): a baseline (a commit, checked out into a
 * folder of its own, or a folder as it is) and this working tree measured
 * in the same session, each by its own `node scripts/parley.mjs bench`, in
 * alternation, then one table of figures side by side (compare.ts).
 *
 * Each tree runs its own bench because what the bench reads inside the page
 * (marks, private fields, element ids) changes between releases. Runs never
 * overlap: each starts and stops its own emulator suite on the same ports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compareRuns, formatTable, markUnlike, Verdict, verdictText, type Figure, type RunFigures } from './compare.js';
import { parseOnly, partOf, warmedBefore, type BenchPart } from './parts.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RESULTS = join(ROOT, 'bench-results');
/** Two rounds by default: with one, each side's spread is a single point. */
const ROUNDS = Number(process.env['PARLEY_BENCH_ROUNDS'] ?? 2);
const ONLY = parseOnly(process.env['PARLEY_BENCH_ONLY']);
/** What a bench run leaves behind (firebase-tools stops its emulators; a straggler would hold a port for the next run). */
const PORT_FREE_TIMEOUT_MS = 60_000;

const log = (msg: string) => console.log(`\x1b[35m[compare]\x1b[0m ${msg}`);

function git(args: string[], cwd = ROOT): string | null {
  const res = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
}

function runOrThrow(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const res = spawnSync(cmd, args, { cwd, env, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${res.status ?? res.signal}`);
}

interface Baseline {
  readonly dir: string;
  readonly label: string;
}

/**
 * PARLEY_BENCH_BASELINE as a folder to run: a folder is used as it is; a
 * commit is checked out (once) into .cache/bench-baseline/<commit>, a git
 * worktree of this repository, detached.
 */
function resolveBaseline(spec: string): Baseline {
  const asDir = resolve(process.env['INIT_CWD'] ?? process.cwd(), spec);
  if (existsSync(asDir) && statSync(asDir).isDirectory()) {
    if (!existsSync(join(asDir, 'scripts', 'parley.mjs')))
      throw new Error(`PARLEY_BENCH_BASELINE: ${asDir} has no scripts/parley.mjs`);
    const sha = git(['rev-parse', '--short', 'HEAD'], asDir);
    return { dir: asDir, label: sha ? `${relative(ROOT, asDir) || '.'} (${sha})` : asDir };
  }
  const sha = git(['rev-parse', '--verify', '--quiet', `${spec}^{commit}`]);
  if (!sha) throw new Error(`PARLEY_BENCH_BASELINE: ${spec} is neither a folder nor a commit of this repository`);
  const dir = join(ROOT, '.cache', 'bench-baseline', sha.slice(0, 12));
  if (!existsSync(join(dir, 'scripts', 'parley.mjs'))) {
    log(`checking ${sha.slice(0, 12)} out into ${relative(ROOT, dir)}`);
    mkdirSync(dirname(dir), { recursive: true });
    git(['worktree', 'prune']); // a folder deleted by hand stays registered until pruned
    runOrThrow('git', ['worktree', 'add', '--detach', dir, sha], ROOT);
  }
  return { dir, label: sha.slice(0, 7) };
}

/** Hard links of a folder tree: a copy that costs no space, with relative symlinks (the workspaces' links) kept as they are. */
function linkCopy(from: string, to: string): void {
  runOrThrow('cp', ['-al', from, to], ROOT);
}

/**
 * The baseline's npm packages. With the same lock file, a hard-linked copy
 * of ours (not a symlink: node_modules links the workspaces relatively,
 * which through a symlink would resolve to this tree's functions/ and web/);
 * otherwise `npm install` there. The marker is touched so that the
 * baseline's own parley.mjs does not install again.
 */
function ensureDependencies(dir: string): void {
  const marker = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(marker)) return;
  const env = { ...process.env };
  delete env['npm_config_offline'];
  const sameLock = readFileSync(join(ROOT, 'package-lock.json'), 'utf8') === readFileSync(join(dir, 'package-lock.json'), 'utf8');
  if (sameLock && existsSync(join(ROOT, 'node_modules', '.package-lock.json'))) {
    log('same package-lock.json as this tree: hard-linking its node_modules');
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    linkCopy(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    for (const ws of ['functions', 'web']) {
      const own = join(ROOT, ws, 'node_modules');
      if (existsSync(own) && existsSync(join(dir, ws)) && !existsSync(join(dir, ws, 'node_modules')))
        linkCopy(own, join(dir, ws, 'node_modules'));
    }
  } else {
    log(`installing the baseline's npm packages in ${relative(ROOT, dir) || dir} (its lock file differs)`);
    runOrThrow('npm', ['install', '--no-audit', '--no-fund'], dir, env);
  }
  // A hard link shares its inode with ours: replace it by a file of its own before touching it.
  const text = readFileSync(marker);
  rmSync(marker);
  writeFileSync(marker, text);
  const now = new Date();
  utimesSync(marker, now, now);
}

/** Whether anything still listens on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
  });
}

/**
 * Whether parley.mjs will run each bench in a network namespace of its own
 * (as root, where `unshare -n` works; see loopbackOnlyPrefix there): then the
 * runs cannot collide on ports, and ports taken on the host (another
 * checkout's `npm start`) are none of their business.
 */
function ownNetworkPerRun(): boolean {
  if (process.env['PARLEY_NO_NETNS'] === '1' || process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
}

async function waitForPortsFree(): Promise<void> {
  if (ownNetworkPerRun()) return;
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as {
    emulators: Record<string, { port?: number }>;
  };
  const ports = Object.values(config.emulators)
    .map((e) => e.port)
    .filter((p): p is number => typeof p === 'number');
  const until = Date.now() + PORT_FREE_TIMEOUT_MS;
  for (;;) {
    const busy = (await Promise.all(ports.map(async (p) => ((await listening(p)) ? p : null)))).filter((p) => p !== null);
    if (busy.length === 0) return;
    if (Date.now() > until)
      throw new Error(`ports ${busy.join(', ')} are still in use ${PORT_FREE_TIMEOUT_MS / 1000} s after the last run`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

type Side = 'baseline' | 'current';

interface RunRecord {
  readonly side: Side;
  readonly round: number;
  readonly exitCode: number;
  readonly seconds: number;
  /** Where the figures came from: the run's latest.json, or the JSON lines it printed when it wrote none. */
  readonly source: 'latest.json' | 'printed lines';
  readonly failedParts: ReadonlyArray<{ part: string; reason: string }>;
  /**
   * The machine's 1-minute load average during the run (sampled every 5 s),
   * mean and max: on a shared 2-core machine the load of others' work moves
   * the figures more than most changes do, and this says when it did.
   */
  readonly load: { readonly mean: number; readonly max: number };
  readonly figures: RunFigures;
}

const LOAD_SAMPLE_MS = 5_000;

/** One `node scripts/parley.mjs bench` in `dir`, its output shown with a prefix, its figures collected. */
async function benchRun(side: Side, dir: string, round: number): Promise<RunRecord> {
  await waitForPortsFree();
  const latest = join(dir, 'bench-results', 'latest.json');
  rmSync(latest, { force: true });
  const env = { ...process.env };
  for (const k of ['PARLEY_BENCH_BASELINE', 'PARLEY_BENCH_ROUNDS', 'npm_config_offline']) delete env[k];
  const prefix = `\x1b[35m[${side} ${round}/${ROUNDS}]\x1b[0m `;
  log(`${side}, round ${round} of ${ROUNDS}: node scripts/parley.mjs bench in ${relative(ROOT, dir) || '.'}`);
  const startedAt = Date.now();
  const loads = [loadavg()[0]!];
  const sampler = setInterval(() => loads.push(loadavg()[0]!), LOAD_SAMPLE_MS);
  const child = spawn(process.execPath, [join(dir, 'scripts', 'parley.mjs'), 'bench'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed: Figure[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(prefix + line);
    if (!line.startsWith('{"figure"')) return;
    try {
      printed.push(JSON.parse(line) as Figure);
    } catch {
      // a figure line cut short by the run's end
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => console.error(prefix + line));
  const exitCode = await new Promise<number>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 1 : 0))));
  clearInterval(sampler);
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const load = { mean: round1(loads.reduce((a, b) => a + b, 0) / loads.length), max: round1(Math.max(...loads)) };
  let record: RunRecord;
  if (existsSync(latest)) {
    const json = JSON.parse(readFileSync(latest, 'utf8')) as { figures: Figure[]; failedParts?: RunRecord['failedParts'] };
    record = {
      side,
      round,
      exitCode,
      seconds,
      source: 'latest.json',
      failedParts: json.failedParts ?? [],
      load,
      figures: json.figures,
    };
  } else {
    record = { side, round, exitCode, seconds, source: 'printed lines', failedParts: [], load, figures: printed };
  }
  mkdirSync(join(RESULTS, 'compare'), { recursive: true });
  writeFileSync(join(RESULTS, 'compare', `round-${round}-${side}.json`), `${JSON.stringify(record, null, 2)}\n`);
  log(
    `${side}, round ${round}: exit ${exitCode} after ${seconds} s, ${record.figures.length} figures (from ${record.source}), load average ${load.mean} (max ${load.max})`,
  );
  return record;
}

/** Figures of the parts asked for: an older bench may measure every part whatever PARLEY_BENCH_ONLY says. */
function asked(figures: RunFigures): RunFigures {
  if (!ONLY) return figures;
  return figures.filter((f) => {
    const part = partOf(f.figure);
    return part === null || ONLY.includes(part);
  });
}

async function main(): Promise<void> {
  const spec = process.env['PARLEY_BENCH_BASELINE']!;
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`PARLEY_BENCH_ROUNDS must be a whole number ≥ 1, not ${ROUNDS}`);
  const baseline = resolveBaseline(spec);
  ensureDependencies(baseline.dir);
  const head = git(['rev-parse', '--short', 'HEAD']) ?? 'working tree';
  const dirty = (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  const current = { dir: ROOT, label: dirty ? `${head}+changes` : head };
  log(`baseline ${baseline.label} against current ${current.label}, ${ROUNDS} round(s), parts ${ONLY?.join(',') ?? 'all'}`);
  const records: RunRecord[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Baseline first in odd rounds, current first in even ones (ABBA): a
    // machine that slows down (or warms up) over the session weighs on both.
    const order: Side[] = round % 2 === 1 ? ['baseline', 'current'] : ['current', 'baseline'];
    for (const side of order) records.push(await benchRun(side, side === 'baseline' ? baseline.dir : current.dir, round));
  }
  const figuresOf = (side: Side) => records.filter((r) => r.side === side).map((r) => asked(r.figures));
  // A side whose bench ignored PARLEY_BENCH_ONLY ran other parts first, on emulators they warmed up.
  const warmedBy = (side: Side): BenchPart[] => {
    if (!ONLY) return [];
    const ran = records
      .filter((r) => r.side === side)
      .flatMap((r) =>
        warmedBefore(
          r.figures.map((f) => f.figure),
          ONLY,
        ),
      );
    return [...new Set(ran)];
  };
  const warmed = { baseline: warmedBy('baseline'), current: warmedBy('current') };
  const rows = markUnlike(compareRuns(figuresOf('baseline'), figuresOf('current')), warmed);
  const table = formatTable(rows, { baseline: baseline.label, current: current.label });
  console.log('');
  console.log(`Median over ${ROUNDS} round(s) each; ratio = current / baseline; the spread is min–max over rounds.`);
  console.log(
    `Runs (side round: seconds, load average mean/max): ${records.map((r) => `${r.side} ${r.round}: ${r.seconds} s, ${r.load.mean}/${r.load.max}`).join('; ')}`,
  );
  console.log(table);
  if (ONLY) {
    for (const side of ['baseline', 'current'] as const) {
      if (warmed[side].length > 0)
        console.log(
          `Warning: the ${side}'s bench ran ${warmed[side].join(', ')} before the parts asked for (it ignores PARLEY_BENCH_ONLY), on emulators those parts had warmed up, while the other side may have started cold. For figures both measured the same way, ask for those parts too: PARLEY_BENCH_ONLY=${[...new Set([...warmed[side], ...ONLY])].join(',')}.`,
        );
    }
  }
  const flagged = rows.filter((r) => r.verdict === Verdict.worse);
  const unlike = rows.filter((r) => r.verdict === Verdict.unlike);
  const failed = rows.filter(
    (r) => r.verdict === Verdict.failedCurrent || r.verdict === Verdict.failedBaseline || r.verdict === Verdict.failedBoth,
  );
  console.log('');
  console.log(
    `${rows.length} numbers: ${flagged.length} worse beyond the spread, ${failed.length} failed on a side${unlike.length > 0 ? `, ${unlike.length} not judged (the sides were not measured the same way: see the warning above)` : ''}.`,
  );
  for (const r of flagged) console.log(`  worse: ${r.figure}: ${verdictText(r)}`);
  writeFileSync(
    join(RESULTS, 'compare.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        baseline: { spec, label: baseline.label, dir: baseline.dir },
        current,
        rounds: ROUNDS,
        only: ONLY ?? 'all',
        runs: records.map(({ figures: _figures, ...run }) => run),
        rows: rows.map((r) => ({ ...r, verdictText: verdictText(r) })),
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${relative(ROOT, join(RESULTS, 'compare.json'))} (each run's figures in bench-results/compare/)`);
  const bad = records.filter((r) => r.exitCode !== 0);
  if (bad.length > 0) {
    for (const r of bad) {
      const parts = r.failedParts.map((p) => p.part).join(', ');
      console.error(`# ${r.side} round ${r.round} exited with ${r.exitCode}${parts ? `: failed parts ${parts}` : ''}`);
    }
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
