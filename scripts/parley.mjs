#!/usr/bin/env node
// Parley's one entry point for developers and CI: `npm start`, `npm test`,
// `npm run bench` and `npm run build` all come here. It installs what a fresh
// clone lacks, builds, and runs the emulator suite. Node built-ins only: it
// must work before `npm install` has run.
import { spawn, spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { ensureTurnSecret, findTurnserver, RELAY_PORTS, startCoturn, TURN_HOST, TURN_PORT, turnPaths } from './coturn.mjs';
import {
  describeProcess,
  groupMembers,
  isAlive,
  OWNER_VARIABLE,
  ownerMark,
  portHolders,
  startedProcesses,
  stopProcesses,
} from './processes.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CACHE = join(ROOT, '.cache');
const BIN = join(ROOT, 'node_modules', '.bin');
/** The demo- prefix makes the emulators run without a login or network. */
export const PROJECT_ID = 'demo-parley';
const EMULATORS = 'auth,firestore,functions,hosting';
/**
 * With Pub/Sub: without it firebase-tools ignores scheduled functions. It
 * never fires a schedule by itself (see runSchedules): `npm start` does, on
 * the schedule; the tests run the sweep when they choose (a sweep at a
 * wall-clock moment would delete entries that tests seed as stale while they
 * look at them).
 */
const START_EMULATORS = `${EMULATORS},pubsub`;
/**
 * End-to-end files that npm test runs beside the others, in a second emulator
 * suite: they mostly wait (for presence leases, sweeps, ICE timeouts, a relay
 * restart). Measured alone (2026-12-07, 2 cores), the layer took 777 s with
 * the CPU 37 % idle on average; these files 135 s at 67 % idle (ghosts), 70 s
 * at 58 % (turn-relay), 30 s at 54 % (reconnect), while the browsers' files
 * mostly ran at 75-100 % busy. The emulator files (no browser) stay with the
 * others, after them: beside the browsers, instance-load's burst of 200 joins
 * took 35 s instead of 7-12 and left compatible people waiting. The
 * matchmaker's part of that is fixed (an entry's seenAt was its join's start,
 * so joins slowed past 15 s queued entries already taken for dead; see
 * docs/SCALING.md), but a burst that long is still slower than the suite
 * needs, and its simulated waiters do not renew, so they stay there.
 * PARLEY_SERIAL_LAYERS=1 runs them all in one suite.
 */
const E2E_BESIDE = ['ghosts.e2e', 'turn-relay.e2e', 'reconnect.e2e'];
/** The gcloud components' emulators, present on our machines (see README, Troubleshooting). */
const GCLOUD_FIRESTORE_JAR = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';
const GCLOUD_PUBSUB_EMULATOR = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';
/**
 * The emulators run with a copy of firebase.json that differs only in the
 * hosting Content-Security-Policy: the served page must reach the emulators on
 * loopback, which production's policy forbids (docs/OPERATIONS.md). It must
 * sit next to firebase.json: firebase-tools resolves paths from its folder.
 */
export const LOCAL_CONFIG = '.firebase.local.json';
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
/** Debian's Firefox ESR first: the end-to-end layer's second engine (test/support/firefox.ts). */
const FIREFOX_CANDIDATES = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

const log = (msg) => console.log(`\x1b[36m[parley]\x1b[0m ${msg}`);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (res.error) throw res.error;
  if (res.status !== 0) throw exitedBadly(cmd, args, res.status ?? res.signal);
}

/** The error of a command that exited with `status` (a code or a signal); the run exits with its code. */
function exitedBadly(cmd, args, status) {
  const err = new Error(`${cmd} ${args.join(' ')} exited with ${status}`);
  err.exitCode = typeof status === 'number' ? status : 1;
  return err;
}

/**
 * run, without blocking the event loop while the command runs: a layer
 * beside it (runBeside) is then seen to end when it ends, and a Ctrl+C
 * reaches its handlers at once.
 */
function runAsync(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(exitedBadly(cmd, args, code ?? signal))));
  });
}

function has(cmd, args = ['--version']) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;
function aptInstall(packages, why) {
  if (!isRoot() || !has('apt-get', ['--version'])) {
    throw new Error(`${why} is missing. Install it (Debian/Ubuntu: sudo apt-get install -y ${packages.join(' ')}) and retry.`);
  }
  log(`installing ${packages.join(' ')} with apt-get (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
}

/** npm install when node_modules is missing or older than the lock file. */
function ensureNodeModules() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs)) return;
  log('installing npm packages');
  // `npm install` rather than `npm ci`: it keeps a developer's node_modules
  // and installs exactly the locked versions all the same.
  run('npm', ['install', '--no-audit', '--no-fund']);
  if (process.env.CI && process.env.CI !== 'false') assertCheckoutUnchanged();
}

/**
 * CI runs on a fresh clone: an install that changes a tracked file (the lock
 * file missing entries that npm resolves, e.g. another platform's native
 * package) makes every clone dirty, so CI fails on it before anything else.
 */
function assertCheckoutUnchanged() {
  const res = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) return; // not a git checkout (a source archive): nothing to compare with
  if (res.stdout.trim() === '') return;
  throw new Error(
    `npm install changed the checkout (git status --porcelain):\n${res.stdout.trimEnd()}\n` +
      'A fresh clone must stay clean: run npm install, review what it wrote (git diff package-lock.json) and commit it.',
  );
}

function javaMajor() {
  const res = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (res.status !== 0) return 0;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(res.stderr);
  if (!m) return 0;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/**
 * A JAR holding only META-INF/MANIFEST.MF with `attributes`: a ZIP archive
 * of one stored (uncompressed) entry, written here so that no JDK (its `jar`
 * tool, 72 MB from apt) is needed for it. The manifest's lines are at most
 * 72 bytes, longer ones continued on lines that start with a space, and
 * each ends with CRLF (the JAR File Specification).
 */
export function manifestOnlyJar(attributes) {
  const lines = [];
  for (const [name, value] of Object.entries(attributes)) {
    let rest = Buffer.from(`${name}: ${value}`);
    lines.push(rest.subarray(0, 72));
    for (rest = rest.subarray(72); rest.length > 0; rest = rest.subarray(71)) {
      lines.push(Buffer.concat([Buffer.from(' '), rest.subarray(0, 71)]));
    }
  }
  const data = Buffer.concat([...lines.flatMap((l) => [l, Buffer.from('\r\n')]), Buffer.from('\r\n')]);
  const name = Buffer.from('META-INF/MANIFEST.MF');
  const crc = crc32(data);
  // 1980-01-01 00:00, the earliest time a ZIP entry can carry: the same bytes on every run.
  const [time, date] = [0, (0 << 9) | (1 << 5) | 1];
  // The fields both headers carry, in the same order: version needed (1.0),
  // flags, method (stored), time, date, CRC-32, both sizes, the name's length.
  const describe = (header, at) => {
    header.writeUInt16LE(10, at);
    header.writeUInt16LE(0, at + 2);
    header.writeUInt16LE(0, at + 4);
    header.writeUInt16LE(time, at + 6);
    header.writeUInt16LE(date, at + 8);
    header.writeUInt32LE(crc, at + 10);
    header.writeUInt32LE(data.length, at + 14);
    header.writeUInt32LE(data.length, at + 18);
    header.writeUInt16LE(name.length, at + 22);
  };
  const local = Buffer.alloc(30); // no extra field
  local.writeUInt32LE(0x04034b50, 0); // local file header
  describe(local, 4);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); // central directory header
  central.writeUInt16LE(20, 4); // made by: 2.0
  describe(central, 6);
  // extra, comment, disk, internal and external attributes: 0; the local header at offset 0
  const entry = Buffer.concat([local, name, data]);
  const directory = Buffer.concat([central, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory
  end.writeUInt16LE(1, 8); // entries on this disk
  end.writeUInt16LE(1, 10); // entries
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(entry.length, 16);
  return Buffer.concat([entry, directory, end]);
}

/**
 * The Firestore emulator needs Java; firebase-tools 14.18.0 (pinned) accepts
 * Java 11 to 20, and Debian 12 offers 17. It also downloads the emulator JAR
 * on first use, which fails without internet; where the gcloud component's
 * JAR is installed we point firebase-tools at a wrapper around it instead.
 */
function ensureFirestoreEmulator(env) {
  if (javaMajor() < 11) aptInstall(['openjdk-17-jre-headless'], 'Java (for the Firestore emulator)');
  if (env.FIRESTORE_EMULATOR_BINARY_PATH) return;
  const cacheDir = join(homedir(), '.cache', 'firebase', 'emulators');
  const cached = existsSync(cacheDir) && readdirSync(cacheDir).some((f) => /^cloud-firestore-emulator-v[\d.]+\.jar$/.test(f));
  if (cached || !existsSync(GCLOUD_FIRESTORE_JAR)) return; // firebase-tools' own download path
  const wrapper = join(CACHE, 'firestore-emulator-wrapper.jar');
  if (!existsSync(wrapper)) {
    mkdirSync(CACHE, { recursive: true });
    // The gcloud JAR has no Main-Class while firebase-tools runs `java -jar`:
    // a manifest-only JAR names the class and puts the real JAR on the class path.
    writeFileSync(
      wrapper,
      manifestOnlyJar({
        'Manifest-Version': '1.0',
        'Main-Class': 'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
        'Class-Path': GCLOUD_FIRESTORE_JAR,
      }),
    );
    log(`made ${relative(ROOT, wrapper)} around the gcloud Firestore emulator`);
  }
  env.FIRESTORE_EMULATOR_BINARY_PATH = wrapper;
}

/**
 * The Pub/Sub emulator, which firebase-tools needs before it runs scheduled
 * functions. It is a download too; where the gcloud component is installed,
 * firebase-tools takes it from PUBSUB_EMULATOR_BINARY_PATH. Through a
 * one-line script of ours, because firebase-tools chmods the file it is given
 * (which a non-root user may not do to /usr/lib).
 */
function ensurePubsubEmulator(env) {
  if (env.PUBSUB_EMULATOR_BINARY_PATH) return;
  const cacheDir = join(homedir(), '.cache', 'firebase', 'emulators');
  const cached = existsSync(cacheDir) && readdirSync(cacheDir).some((f) => f.startsWith('pubsub-emulator'));
  if (cached || !existsSync(GCLOUD_PUBSUB_EMULATOR)) return; // firebase-tools' own download path
  const wrapper = join(CACHE, 'pubsub-emulator.sh');
  if (!existsSync(wrapper)) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(wrapper, `#!/bin/sh\nexec ${GCLOUD_PUBSUB_EMULATOR} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  env.PUBSUB_EMULATOR_BINARY_PATH = wrapper;
}

/** Chromium for the browser tests: CHROME_PATH, or Debian's package. */
export function ensureChromium(env) {
  if (env.CHROME_PATH && existsSync(env.CHROME_PATH)) return env.CHROME_PATH;
  let found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    aptInstall(['chromium'], 'Chromium (for the browser tests)');
    found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  }
  if (!found) throw new Error('Chromium not found; set CHROME_PATH to a Chromium or Chrome binary.');
  env.CHROME_PATH = found;
  return found;
}

/**
 * Firefox for the end-to-end layer's Firefox tests: FIREFOX_PATH, or
 * Debian's firefox-esr (puppeteer-core drives it over WebDriver BiDi; its
 * own browser download does not work offline).
 */
export function ensureFirefox(env) {
  if (env.FIREFOX_PATH && existsSync(env.FIREFOX_PATH)) return env.FIREFOX_PATH;
  let found = FIREFOX_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    aptInstall(['firefox-esr'], 'Firefox ESR (for the end-to-end tests in Firefox)');
    found = FIREFOX_CANDIDATES.find((p) => existsSync(p));
  }
  if (!found) throw new Error('Firefox not found; set FIREFOX_PATH to a Firefox binary.');
  env.FIREFOX_PATH = found;
  return found;
}

/**
 * nftables, for the test that cuts the network during a call (it drops UDP
 * in the test's own network namespace). Only as root, where the namespace is
 * made; elsewhere that test is skipped and says why.
 */
function ensureNftables() {
  if (!isRoot() || has('nft', ['--version'])) return;
  aptInstall(['nftables'], 'nftables (for the network-cut test)');
}

/**
 * The local TURN relay: coturn from Debian's package, and the shared secret
 * that it and the Functions emulator (functions/.secret.local) both use,
 * generated once per checkout (scripts/coturn.mjs, docs/TURN.md).
 */
function ensureCoturn() {
  if (!findTurnserver()) aptInstall(['coturn'], 'coturn (the local TURN relay)');
  return ensureTurnSecret(ROOT);
}

/**
 * `parley.mjs with-turn <command> [args…]`: runs the command with coturn
 * beside it, started before and stopped after it, and exits with its code.
 * The emulator layers run through this inside their network namespace, so
 * that the relay is in the same one as the browsers.
 */
async function withTurn(argv) {
  const secret = ensureTurnSecret(ROOT);
  let turn = await startCoturn(ROOT, secret);
  log(
    `coturn on ${TURN_HOST}:${TURN_PORT} (relay ports ${RELAY_PORTS.min}-${RELAY_PORTS.max}; log in ${relative(ROOT, turnPaths(ROOT).log)})`,
  );
  // The relay's outage, on a test's request (test/support/relay-control.ts):
  // SIGUSR1 kills coturn as a crash would (SIGKILL: its allocations die with
  // it), SIGUSR2 starts it again (stopping it first if it still runs) with
  // the same configuration, secret and port. This process owns whichever
  // instance runs, so the last one is stopped below like the first, and
  // later test files find a relay.
  let restarting = Promise.resolve();
  process.on('SIGUSR1', () => {
    try {
      process.kill(-turn.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  process.on('SIGUSR2', () => {
    restarting = restarting.then(async () => {
      // Normally dead already (SIGUSR1); if not, stopped first, so a stray SIGUSR2 restarts it.
      await turn.stop();
      try {
        turn = await startCoturn(ROOT, secret);
      } catch (err) {
        log(`coturn did not start again: ${err.message}`);
      }
    });
  });
  const child = spawn(argv[0], argv.slice(1), {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, PARLEY_RELAY_CONTROL_PID: String(process.pid) },
  });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  await restarting;
  await turn.stop();
  return code;
}

/** Origins the locally served page talks to: the emulators, on the host it was loaded from. */
export function loopbackOrigins(emulators) {
  const ports = ['auth', 'firestore', 'functions'].map((name) => emulators[name].port);
  return ['127.0.0.1', 'localhost'].flatMap((host) => ports.map((port) => `http://${host}:${port}`));
}

/** Production's Content-Security-Policy with the emulators' loopback origins added to connect-src. */
export function localContentSecurityPolicy(policy, emulators) {
  return policy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => (d.startsWith('connect-src ') ? `${d} ${loopbackOrigins(emulators).join(' ')}` : d))
    .join('; ');
}

/** Writes LOCAL_CONFIG: firebase.json with the local Content-Security-Policy (see LOCAL_CONFIG). */
function writeLocalConfig() {
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8'));
  for (const rule of config.hosting?.headers ?? []) {
    for (const header of rule.headers) {
      if (header.key === 'Content-Security-Policy') header.value = localContentSecurityPolicy(header.value, config.emulators);
    }
  }
  const text = `${JSON.stringify(config, null, 2)}\n`;
  const path = join(ROOT, LOCAL_CONFIG);
  // Unchanged content, unchanged file: keeps its mtime for anyone watching it.
  // Written whole under another name, then renamed: npm test's rules tests
  // and its npm start checks run side by side, and each firebase-tools reads
  // this file as it starts, never half written.
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, path);
  }
  return config;
}

/** The newest modification time under `paths` (files and folders; a deleted file changes its folder). */
function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    newest = Math.max(newest, st.mtimeMs);
    if (!st.isDirectory()) return;
    for (const entry of readdirSync(p)) if (entry !== 'node_modules') visit(join(p, entry));
  };
  for (const p of paths) visit(join(ROOT, p));
  return newest;
}

/**
 * Build steps, each with the files it reads and what it makes. A step runs
 * only when an input is newer than its stamp (written after it last
 * succeeded) or its output is missing, so a second `npm start` with nothing
 * changed builds nothing.
 */
const SHARED_INPUTS = ['tsconfig.json', 'package-lock.json'];
const STEPS = {
  functions: {
    inputs: ['functions/src', 'functions/tsconfig.json', 'functions/package.json'],
    output: 'functions/lib/index.js',
    run: () => run(join(BIN, 'tsc'), ['-p', 'functions']),
  },
  web: {
    // The web client imports the functions' protocol module (types from its source, code from lib).
    // The languages' modules are built from web/xliff first (lit-localize.json): the client imports them.
    inputs: [
      'web/src',
      'web/public',
      'web/xliff',
      'lit-localize.json',
      'web/tsconfig.json',
      'web/rollup.config.mjs',
      'web/css-templates.mjs',
      'web/package.json',
      'functions/src/protocol',
    ],
    output: 'web/dist/index.html',
    run: () => {
      run(join(BIN, 'lit-localize'), ['build', '--config', 'lit-localize.json']);
      run(join(BIN, 'tsc'), ['-p', 'web']);
      run(join(BIN, 'rollup'), ['-c', 'rollup.config.mjs', '--silent'], { cwd: join(ROOT, 'web') });
    },
  },
  tests: {
    inputs: ['test', 'functions/src', 'web/src', 'scripts'],
    output: 'build/test',
    run: () => {
      run(join(BIN, 'tsc'), ['-p', 'test']);
      run(join(BIN, 'tsc'), ['-p', 'test/web']); // type-check only: the runner compiles these itself
    },
  },
};

function build(steps) {
  const stamps = join(CACHE, 'stamps');
  mkdirSync(stamps, { recursive: true });
  const stale = steps.filter((name) => {
    const step = STEPS[name];
    const stamp = join(stamps, name);
    if (!existsSync(join(ROOT, step.output)) || !existsSync(stamp)) return true;
    return newestMtime([...step.inputs, ...SHARED_INPUTS]) > statSync(stamp).mtimeMs;
  });
  if (stale.length === 0) {
    log(`${steps.join(', ')}: up to date`);
    return;
  }
  log(`building ${stale.join(', ')}`);
  for (const name of stale) {
    // The stamp takes the time the step started: an edit made during the build is newer.
    const startedAt = new Date();
    STEPS[name].run();
    const stamp = join(stamps, name);
    writeFileSync(stamp, '');
    utimesSync(stamp, startedAt, startedAt);
  }
}

function testFiles(dir, suffix) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(suffix)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Whether we can run a command in a fresh network namespace with only
 * loopback: then browser tests provably send nothing beyond 127.0.0.1.
 */
function loopbackOnlyPrefix() {
  if (process.env.PARLEY_NO_NETNS === '1' || !isRoot() || !has('unshare', ['--version'])) return null;
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return probe.status === 0 ? ['unshare', '-n', 'sh', '-c'] : null;
}

/** A shell command, in a loopback-only network namespace when we can make one: what to spawn. */
function isolated(env, command) {
  const netns = loopbackOnlyPrefix();
  if (!netns) return { cmd: 'sh', args: ['-c', command], env, netns: false };
  // PARLEY_NETNS tells the tests they own this network: the network-cut
  // test may then drop packets in it (never on a shared host network).
  return {
    cmd: netns[0],
    args: [...netns.slice(1), `ip link set lo up && ${command}`],
    env: { ...env, PARLEY_NETNS: '1' },
    netns: true,
  };
}

/**
 * Runs a shell command, in a loopback-only network namespace when we can make
 * one, with `runner` (run, or runAsync: then it returns its promise).
 */
function runIsolated(env, command, runner = run) {
  const { cmd, args, env: runEnv, netns } = isolated(env, command);
  if (netns) log('(in a loopback-only network namespace)');
  return runner(cmd, args, { env: runEnv });
}

/**
 * Runs a node:test layer with a second reporter, the spec reporter, writing to
 * .cache/test-reports/<layer>.txt. When the layer fails, the failing tests are
 * printed again last: in a long CI log they are otherwise buried under the
 * emulators' shutdown lines, and a log shown only by its tail never names them.
 */
function withFailureSummary(layer, runLayer) {
  const report = nodeTestReporters(layer);
  try {
    runLayer(report);
  } catch (err) {
    printFailingTests(layer);
    throw err;
  }
}

/** withFailureSummary for a layer already started with nodeTestReporters(layer) (runBeside): `finish` awaits it. */
async function withFailureSummaryAsync(layer, finish) {
  try {
    await finish();
  } catch (err) {
    printFailingTests(layer);
    throw err;
  }
}

/** The node:test reporter flags of withFailureSummary; clears the layer's last report. */
function nodeTestReporters(layer) {
  const file = join(CACHE, 'test-reports', `${layer}.txt`);
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true });
  return [
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    '--test-reporter=spec',
    // Relative (the layers run in the project's folder): the npm start checks
    // look for processes whose command line names the project's path.
    `--test-reporter-destination=${relative(ROOT, file)}`,
  ];
}

function printFailingTests(layer) {
  const file = join(CACHE, 'test-reports', `${layer}.txt`);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = text.lastIndexOf('failing tests:');
  const failing = at >= 0 ? text.slice(at).trim() : `(no report at ${relative(ROOT, file)})`;
  console.error(`\x1b[31m[parley]\x1b[0m the ${layer} layer failed; its failing tests:\n${failing.slice(0, 12_000)}`);
}

/** runIsolated's command as a layer beside the next ones (runBeside), in a network namespace of its own when we can make one. */
function runIsolatedBeside(layer, env, command) {
  const { cmd, args, env: runEnv } = isolated(env, command);
  return runBeside(layer, cmd, args, { env: runEnv });
}

/**
 * Runs `layers` while `beside` (runBeside, or null) runs: if they fail, it is
 * stopped; if they pass, it is awaited (`waiting` says so first) and its
 * failure fails the run, its failing tests printed (withFailureSummaryAsync).
 */
async function besideOf(beside, waiting, layers) {
  try {
    await layers();
  } catch (err) {
    await beside?.stop();
    throw err;
  }
  if (!beside) return;
  waiting();
  await withFailureSummaryAsync(beside.layer, () => beside.finish());
}

/**
 * A layer that runs beside the next ones (npm test's npm start checks,
 * beside lint, unit, deploy and the rules tests). Its output goes to
 * .cache/test-reports/<layer>.log and is printed whole when it has ended
 * (finish), so the log reads one layer at a time. stop() ends it when a
 * layer beside it fails: SIGINT to its process group, as Ctrl+C would
 * (the npm start checks then stop the starts they run), then SIGKILL
 * after 20 s.
 */
function runBeside(layer, cmd, args, opts = {}) {
  const dir = join(CACHE, 'test-reports');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${layer}.log`);
  const fd = openSync(file, 'w');
  const startedAt = Date.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', fd, fd], detached: true, ...opts });
  closeSync(fd);
  // When it ended, not when it was awaited: the time it took.
  let endedAt = null;
  const ended = new Promise((resolve) => {
    child.on('error', (err) => ((endedAt = Date.now()), resolve(err.message)));
    child.on('exit', (code, signal) => ((endedAt = Date.now()), resolve(code ?? signal)));
  });
  // In a process group of its own, it misses the terminal's Ctrl+C: passed on.
  const passOn = (signal) => {
    killGroup(child.pid, signal);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', passOn);
  process.once('SIGTERM', passOn);
  void ended.then(() => {
    process.off('SIGINT', passOn);
    process.off('SIGTERM', passOn);
  });
  return {
    layer,
    async finish() {
      const status = await ended;
      process.stdout.write(readFileSync(file, 'utf8'));
      log(
        `the ${layer} layer ${status === 0 ? 'passed' : 'failed'} in ${Math.round(((endedAt ?? Date.now()) - startedAt) / 1000)} s (its output above, and in ${relative(ROOT, file)})`,
      );
      if (status !== 0) throw exitedBadly(cmd, args, status);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      log(`stopping the ${layer} layer, which ran beside (its output so far: ${relative(ROOT, file)})`);
      killGroup(child.pid, 'SIGINT');
      const late = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 20_000);
      await ended;
      clearTimeout(late);
    },
  };
}

/** `command` under `firebase emulators:exec`; with `turn`, a local coturn runs beside them (see withTurn). */
function emulatorsExec(env, command, only = EMULATORS, { turn = false } = {}) {
  writeLocalConfig();
  runIsolated(env, emulatorsCommand(command, only, { turn }));
}

/** The shell command of emulatorsExec (the local config written already). */
function emulatorsCommand(command, only = EMULATORS, { turn = false } = {}) {
  const firebase = join(BIN, 'firebase');
  const exec = `${firebase} emulators:exec --config ${LOCAL_CONFIG} --project ${PROJECT_ID} --only ${only} ${JSON.stringify(command)}`;
  return turn ? `${process.execPath} ${fileURLToPath(import.meta.url)} with-turn ${exec}` : exec;
}

/**
 * Lines of firebase-tools' output that `npm start` shows without --verbose:
 * problems, and what the functions log at warning level or above. The rest
 * (a line per emulator start, per function load, per request) is in
 * --verbose and in firebase-debug.log.
 */
function worthShowing(line) {
  if (
    /MOTD|Env variable override detected|Picked up JAVA_TOOL_OPTIONS|Emulator UI is not starting|requested "node" version|doesn't match your global version/i.test(
      line,
    )
  )
    return false;
  if (/"severity":"(WARNING|ERROR|CRITICAL|ALERT|EMERGENCY)"/.test(line)) return true;
  if (/"severity":/.test(line)) return false;
  return /^\s*(⚠|!|✘)|\b(error|failed|exception|unable to)\b/i.test(line);
}

async function get(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? res : null;
  } catch {
    return null;
  }
}

/** Every `every N minutes`/`every N hours` schedule as milliseconds; others are left to production. */
function scheduleIntervalMs(schedule) {
  const m = /^every (\d+) (minute|hour)s?$/.exec(schedule?.trim() ?? '');
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'minute' ? 60_000 : 3_600_000);
}

/**
 * Cloud Scheduler, locally. firebase-tools 14.18.0 registers a scheduled
 * function only when a Pub/Sub emulator runs, then subscribes it to the topic
 * `firebase-schedule-<id>`, but nothing ever publishes there, and a message
 * published by hand fails ("Unsupported trigger signature: http"): a 2nd-gen
 * scheduled function is an HTTP function that Cloud Scheduler calls. So this
 * calls it the same way (POST with Cloud Scheduler's headers) on the
 * emulator's route for the registered trigger, once when the suite is ready
 * and then at the function's interval.
 */
async function runSchedules(config, projectId, onRun) {
  const fn = config.emulators.functions;
  const res = await get(`http://${fn.host}:${fn.port}/backends`);
  if (!res) return { scheduled: [], timers: [] };
  const { backends } = await res.json();
  const scheduled = backends.flatMap((b) => b.functionTriggers ?? []).filter((t) => t.schedule);
  const timers = [];
  for (const trigger of scheduled) {
    const schedule = trigger.schedule?.schedule ?? trigger.schedule;
    const interval = scheduleIntervalMs(schedule);
    const invoke = async () => {
      let outcome = 'not registered';
      // The emulator keys event-style triggers `<region>-<id>-<n>`.
      for (const key of [`${trigger.name}-0`, trigger.name]) {
        const r = await fetch(`http://${fn.host}:${fn.port}/${projectId}/${trigger.region}/${key}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'X-CloudScheduler-JobName': `firebase-schedule-${trigger.name}-${trigger.region}`,
            'X-CloudScheduler-ScheduleTime': new Date().toISOString(),
          },
          body: '{}',
        }).catch((e) => e);
        if (r instanceof Response && r.status === 404) continue;
        outcome = r instanceof Response ? (r.ok ? null : `HTTP ${r.status}`) : String(r);
        break;
      }
      onRun(trigger.name, outcome);
    };
    void invoke();
    if (interval) timers.push(setInterval(invoke, interval));
  }
  return { scheduled: scheduled.map((t) => `${t.name} (${t.schedule?.schedule ?? t.schedule})`), timers };
}

/**
 * How long firebase-tools gets for its own clean shutdown (it stops each
 * emulator and waits for it) before we end what is left ourselves. It takes
 * about a second here; but it waits for a function whose worker was still
 * loading (as at the first scheduled sweep, just after "ready") until its
 * own 60 s timeout, though we ended that worker.
 */
const CLEAN_SHUTDOWN_MS = 5_000;
/** SIGTERM to SIGKILL for processes left behind (a Java emulator's shutdown hooks take a second or two). */
const LEFTOVER_GRACE_MS = 5_000;
/** npm forwards the terminal's Ctrl+C to us a second time within milliseconds: not a second press. */
const SECOND_PRESS_MS = 2_000;
/** How often `npm start` checks that npm, which runs it, still runs. */
const PARENT_CHECK_MS = 1_000;
/** firebase-tools' default WebSocket port of the Firestore emulator (firebase.json does not set one). */
const FIRESTORE_WEBSOCKET_PORT = 9150;

/** Every port the suite and the relay listen on: a start checks them all before it starts anything. */
function suitePorts(config) {
  const ports = Object.entries(config.emulators)
    .filter(([, e]) => typeof e?.port === 'number')
    .map(([name, e]) => ({ name, port: e.port }));
  ports.push({ name: 'firestore (WebSocket)', port: config.emulators.firestore.websocketPort ?? FIRESTORE_WEBSOCKET_PORT });
  ports.push({ name: 'turn (coturn)', port: TURN_PORT });
  return ports;
}

/**
 * What ends `npm start`: SIGINT (Ctrl+C to the terminal's group, or to our
 * PID or npm's from an IDE's stop button or `timeout -s INT`; npm forwards
 * SIGINT and SIGTERM to its script, which package.json runs with `exec` so
 * that no shell stands between them), SIGTERM, SIGHUP (the terminal closed),
 * or, when npm runs us, npm itself gone (killed with SIGKILL: nobody would
 * forward a signal any more). `requested` resolves with the reason;
 * `forced` when a second request comes SECOND_PRESS_MS or more after the
 * first.
 */
function stopRequests() {
  let firstAt = 0;
  let onRequested;
  let onForced;
  const requested = new Promise((r) => (onRequested = r));
  const forced = new Promise((r) => (onForced = r));
  const request = (why) => {
    const now = Date.now();
    if (firstAt === 0) {
      firstAt = now;
      onRequested(why);
    } else if (now - firstAt >= SECOND_PRESS_MS) {
      onForced(why);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => request(signal));
  // Run by npm (which sets npm_lifecycle_event): npm gone means nobody can
  // stop us any more. Run directly, a parent that ends (a shell that put us
  // in the background) is no reason to stop.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      request(`npm (pid ${parent}) ended`);
    }, PARENT_CHECK_MS);
    watch.unref();
  }
  return { requested, forced, isRequested: () => firstAt !== 0 };
}

/**
 * Before a start: ends what an earlier `npm start` of this checkout left
 * running (it was killed with SIGKILL, or its machine slept through its
 * stop), refuses to start beside one that still runs, and names whatever
 * else holds one of the suite's ports instead of letting firebase-tools fail
 * on it. Then removes firebase-tools' locator file if no suite runs in this
 * network: a crashed suite leaves it, and firebase-tools would warn about
 * "multiple instances" without saying which.
 */
async function clearTheWay(config) {
  const left = startedProcesses(ROOT);
  const running = left.find((p) => isAlive(p.owner));
  if (running) {
    const pid = running.owner.pid;
    throw new Error(
      `npm start already runs for this checkout (pid ${pid}); use it, or stop it first (Ctrl+C in its terminal, or kill -INT ${pid})`,
    );
  }
  if (left.length > 0) {
    const owners = [...new Set(left.map((p) => p.owner.pid))].join(', ');
    log(`an earlier npm start (pid ${owners}) ended without stopping what it started; stopping ${left.length} processes:`);
    for (const p of left) log(`  ${describeProcess(p)}`);
    const stuck = await stopProcesses(left, { graceMs: LEFTOVER_GRACE_MS });
    if (stuck.length > 0) throw new Error(`could not stop ${stuck.map(describeProcess).join('; ')}`);
  }
  const ports = suitePorts(config);
  let taken = portHolders(ports.map((p) => p.port));
  // Sockets of what we just stopped close as its last thread ends, which
  // may be a moment after its process is gone from our view.
  const settled = Date.now() + (left.length > 0 ? LEFTOVER_GRACE_MS : 0);
  while (taken.length > 0 && Date.now() < settled) {
    await new Promise((r) => setTimeout(r, 200));
    taken = portHolders(ports.map((p) => p.port));
  }
  if (taken.length > 0) {
    const lines = taken.map(({ port, holders }) => {
      const name = ports.find((p) => p.port === port).name;
      const who =
        holders.length > 0
          ? holders.map(describeProcess).join('; ')
          : "no process this user can see (another user's, or one exiting)";
      return `  port ${port} (${name}) is taken by ${who}`;
    });
    const pids = [...new Set(taken.flatMap((t) => t.holders.map((h) => h.pid)))];
    const how =
      pids.length > 0 ? `stop ${pids.length > 1 ? 'them' : 'it'} (kill ${pids.join(' ')}) and retry` : 'stop it and retry';
    throw new Error(`the emulator suite's ports are in use, not by an npm start of this checkout:\n${lines.join('\n')}\n${how}`);
  }
  const locator = removeLocator();
  if (locator)
    log(`removed ${locator}: no emulator suite runs in this network (one crashed, or runs in another network namespace)`);
}

/**
 * Removes firebase-tools' locator file (os.tmpdir()/hub-<project>.json),
 * which firebase-tools writes at start, deletes at a clean exit, and warns
 * about ("multiple instances") when it finds one. Only once no hub runs in
 * this network: then it names nothing reachable (firebase-tools would
 * overwrite it anyway). Returns its path when it removed it.
 */
function removeLocator() {
  const locator = join(tmpdir(), `hub-${PROJECT_ID}.json`);
  if (!existsSync(locator)) return null;
  try {
    unlinkSync(locator);
    return locator;
  } catch (err) {
    log(`${locator} cannot be removed (${err.code}): firebase-tools will warn about "multiple instances"`);
    return null;
  }
}

/**
 * `npm start`: coturn, then the emulator suite, each in a process group of
 * its own, so that the terminal's Ctrl+C reaches firebase-tools exactly once,
 * from here, and the relay after the emulators. Everything it spawns carries
 * OWNER_VARIABLE (scripts/processes.mjs): the stop, and the next start after
 * a crash, find every process of ours, however deep, and nothing else.
 */
async function start(env, verbose) {
  const stop = stopRequests();
  // A closed terminal (SIGHUP) or a pipe whose reader went makes writes
  // fail; that must not cut the stop short and leave the emulators running.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const config = writeLocalConfig();
  await clearTheWay(config);
  ensureFirestoreEmulator(env);
  ensurePubsubEmulator(env);
  const secret = ensureCoturn();
  build(['functions', 'web']);
  if (stop.isRequested()) return stopped();
  const startedAt = Date.now();
  // Inherited by coturn (startCoturn spawns with this process's environment)
  // and, through `env`, by firebase-tools and everything it starts.
  const mark = ownerMark(ROOT);
  process.env[OWNER_VARIABLE] = mark;
  env[OWNER_VARIABLE] = mark;
  const ours = () => startedProcesses(ROOT).filter((p) => p.owner.pid === process.pid);
  // The relay first, so that the first page to ask for credentials can use them.
  const turn = await startCoturn(ROOT, secret);
  log(
    `starting the emulator suite on project ${PROJECT_ID}${verbose ? '' : ' (quiet; npm start -- --verbose for every log line)'}`,
  );
  // The Java emulators (Firestore, Pub/Sub) with the client JIT only: on two
  // cores the server compiler's threads made the Firestore emulator's first
  // request take 10-16 s; with C1 alone it takes under a second. A developer's
  // traffic never needs the peak throughput C2 buys (the load tests keep it).
  env.JAVA_TOOL_OPTIONS = `${env.JAVA_TOOL_OPTIONS ?? ''} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC`.trim();
  const child = spawn(
    join(BIN, 'firebase'),
    ['emulators:start', '--config', LOCAL_CONFIG, '--project', PROJECT_ID, '--only', START_EMULATORS],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
      env,
      detached: true,
    },
  );
  let ready = false;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (/multiple instances of the emulator suite/.test(line)) {
        // clearTheWay removed the locator and found the ports free: a suite
        // that wrote it since runs in another network (a test's namespace).
        log(`firebase-tools found another suite's locator file: one for ${PROJECT_ID} runs outside this network; harmless here`);
        if (!verbose) return;
      }
      if (verbose || (!stop.isRequested() && worthShowing(line))) console.log(line);
      if (line.includes('All emulators ready')) ready = true;
    });
  }
  let hasExited = false;
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      hasExited = true;
      resolve(code ?? (signal ? 1 : 0));
    }),
  );

  // Ready: firebase-tools says so (functions loaded) and the site answers.
  const hosting = config.emulators.hosting;
  const siteUrl = `http://${hosting.host}:${hosting.port}`;
  let timers = [];
  const announce = async () => {
    while (!stop.isRequested() && !hasExited) {
      if (ready && (await get(`${siteUrl}/`))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (stop.isRequested() || hasExited) return;
    const hub = config.emulators.hub;
    const res = await get(`http://${hub.host}:${hub.port}/emulators`);
    const running = res ? await res.json() : {};
    for (const [name, info] of Object.entries(running)) {
      if (!START_EMULATORS.split(',').includes(name)) continue; // hub, logging, and helpers firebase-tools adds
      log(`  ${name.padEnd(10)} http://${info.host}:${info.port}`);
    }
    log(`  ${'turn'.padEnd(10)} turn:${TURN_HOST}:${TURN_PORT} (coturn; log in .cache/turn/turnserver.log)`);
    const sched = await runSchedules(config, PROJECT_ID, (name, error) => {
      if (stop.isRequested()) return; // a run cut short by the stop
      if (error) log(`scheduled ${name} could not be triggered: ${error}`);
      else if (verbose) log(`scheduled ${name} run`);
    });
    timers = sched.timers ?? [];
    if (stop.isRequested()) {
      for (const t of timers) clearInterval(t);
      return;
    }
    if (sched.scheduled?.length) log(`  scheduled  ${sched.scheduled.join(', ')}: run now, then on schedule`);
    log(
      `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: open ${siteUrl} in two tabs, pick a room, press Start (Ctrl+C stops)`,
    );
  };
  void announce();

  const stopReason = await Promise.race([stop.requested, exited.then(() => null)]);
  for (const t of timers) clearInterval(t);
  let hurried = false;
  void stop.forced.then((why) => {
    hurried = true;
    log(`${why} again: killing what is left`);
  });
  if (stopReason) {
    console.log('');
    log(`stopping the emulators… (${stopReason})`);
    child.kill('SIGINT');
    // firebase-tools' clean shutdown waits up to 60 s for functions still
    // running, and the scheduled sweep runs 30 s of every minute. What a
    // function works on lives in the emulators' memory, which goes with them,
    // so the workers (node …/functionsEmulatorRuntime) end now, unfinished.
    const workers = ours().filter((p) => p.command.includes('functionsEmulatorRuntime'));
    void stopProcesses(workers, { graceMs: LEFTOVER_GRACE_MS });
    const outcome = await Promise.race([
      exited.then(() => 'exited'),
      stop.forced.then(() => 'forced'),
      new Promise((r) => setTimeout(() => r('timeout'), CLEAN_SHUTDOWN_MS).unref()),
    ]);
    if (outcome === 'timeout')
      log(`firebase-tools did not finish its shutdown in ${CLEAN_SHUTDOWN_MS / 1000} s: ending what is left`);
  }
  // A firebase-tools still running after its clean shutdown had its time
  // is stuck in it (a further SIGINT or SIGTERM would only start it again):
  // SIGKILL. Then whatever it left (its process group, the Java emulators
  // in groups of their own, function workers) gets SIGTERM, and the relay
  // last: nothing uses it once the emulators are gone.
  if (!hasExited) child.kill('SIGKILL');
  const emulators = [...ours(), ...groupMembers(child.pid)].filter(
    (p, i, all) => p.pid !== turn.pid && p.pid !== child.pid && all.findIndex((q) => q.pid === p.pid) === i,
  );
  const stuck = await stopProcesses(emulators, { graceMs: hurried ? 0 : LEFTOVER_GRACE_MS, hurry: stop.forced });
  await Promise.race([turn.stop(), stop.forced.then(() => killGroup(turn.pid, 'SIGKILL'))]);
  stuck.push(...(await stopProcesses(ours(), { graceMs: 0 })));
  if (stuck.length > 0) log(`still running, stop by hand: ${stuck.map(describeProcess).join('; ')}`);
  // Left when firebase-tools did not finish its clean shutdown.
  else removeLocator();
  if (stopReason) return stopped();
  const code = await exited;
  throw Object.assign(new Error(`the emulator suite exited (${code}); npm start -- --verbose shows why`), {
    exitCode: code || 1,
  });
}

function stopped() {
  log('stopped');
  process.exit(0);
}

/** Signals a whole process group; false when it has no process left. */
function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const command = process.argv[2] ?? 'test';
  const flags = process.argv.slice(3);
  const env = {
    ...process.env,
    // The Functions emulator asks the npm registry for the latest
    // firebase-functions on every start; offline that costs ~20 s of retries.
    npm_config_offline: 'true',
    // The Functions emulator starts one process per request in flight and
    // gives each 30 s to load; the load test and the benchmark have 100-200
    // requests in flight on a 2-core machine, where booting them takes longer.
    FUNCTIONS_DISCOVERY_TIMEOUT: process.env.FUNCTIONS_DISCOVERY_TIMEOUT ?? '180',
  };
  ensureNodeModules();
  switch (command) {
    case 'build':
      build(['functions', 'web', 'tests']);
      return;
    case 'start':
      await start(env, flags.includes('--verbose') || process.env.PARLEY_VERBOSE === '1');
      return;
    case 'with-turn':
      process.exit(await withTurn(flags));
      return;
    case 'test': {
      // Each layer's line says how long this process has run so far
      // (installing included): where CI's time goes (its budget is 30 minutes).
      const step = (msg) => log(`${msg} [${Math.round(process.uptime())} s in]`);
      ensureCoturn();
      ensureFirestoreEmulator(env);
      ensurePubsubEmulator(env);
      ensureChromium(env);
      ensureFirefox(env);
      ensureNftables();
      build(['functions', 'web', 'tests']);
      // The npm start checks run beside lint, unit, deploy and the rules
      // tests: they mostly wait, for Java emulators to start and for the
      // sweep's liveness pass (53-86 % of the CPU idle when they ran alone),
      // in a network namespace of their own, where they look for what a
      // start left behind (the rules tests' emulator runs in another). The
      // layers that run real-time media (browser, end to end) still run
      // alone. PARLEY_SERIAL_LAYERS=1 runs one layer at a time.
      const emu = [
        ...testFiles(join(ROOT, 'build', 'test', 'emulator'), '.test.js'),
        ...testFiles(join(ROOT, 'build', 'test', 'e2e'), '.test.js'),
      ].map((f) => relative(ROOT, f));
      // The rules suite gets a Firestore emulator of its own: with the Functions
      // emulator running, the onCallDeleted trigger would react to the suite
      // clearing its seeded calls and race its next seed.
      const rules = emu.filter((f) => f.includes('firestore-rules'));
      const rest = emu.filter((f) => !rules.includes(f));
      const devexFiles = testFiles(join(ROOT, 'build', 'test', 'devex'), '.test.js').map((f) => relative(ROOT, f));
      const devexWhat = `npm start checks (${devexFiles.length} file: a start with nothing to build, scheduled functions, Ctrl+C)`;
      const devexCommand = (report) => `node --test ${report.join(' ')} ${devexFiles.join(' ')}`;
      // Layers side by side each start emulators on the same ports, so they
      // need network namespaces of their own: without them (not root, no
      // unshare) one layer at a time.
      const serial = process.env.PARLEY_SERIAL_LAYERS === '1' || loopbackOnlyPrefix() === null;
      let devex = null;
      if (!serial) {
        devex = runIsolatedBeside('devex', env, devexCommand(nodeTestReporters('devex')));
        step(`${devexWhat}, beside the next layers`);
      }
      await besideOf(
        devex,
        () => step('waiting for the npm start checks'),
        async () => {
          // First, because it is the quickest to fail: the layer boundaries
          // (scripts/eslint.config.js) and the formatting.
          step('lint: ESLint with the layer boundaries, Prettier');
          run('npm', ['run', '--silent', 'lint'], { env });
          const unit = testFiles(join(ROOT, 'build', 'test', 'unit'), '.test.js');
          step(`unit tests (${unit.length} files, no emulator, no browser)`);
          withFailureSummary('unit', (report) => run(process.execPath, ['--test', ...report, ...unit], { env }));
          const deploy = testFiles(join(ROOT, 'build', 'test', 'deploy'), '.test.js');
          step(
            `deploy checks (${deploy.length} files: functions installed alone as Cloud Build does, hosting folder, TTL policies)`,
          );
          withFailureSummary('deploy', (report) => run(process.execPath, ['--test', ...report, ...deploy], { env }));
          step(`security rules tests (${rules.length} file, Firestore emulator only)`);
          // Its emulators' locator file (firebase-tools writes it to the temp
          // folder, one per project) goes to a folder of its own: beside it,
          // an npm start of the checks would find it there, warn about
          // "multiple instances", and remove it.
          const rulesTmp = join(CACHE, 'tmp', 'rules');
          mkdirSync(rulesTmp, { recursive: true });
          withFailureSummary('rules', (report) =>
            emulatorsExec({ ...env, TMPDIR: rulesTmp }, `node --test ${report.join(' ')} ${rules.join(' ')}`, 'firestore'),
          );
        },
      );
      if (!devex) {
        step(devexWhat);
        withFailureSummary('devex', (report) => runIsolated(env, devexCommand(report)));
      }
      step('component and WebRTC tests in Chromium (@web/test-runner)');
      run(join(BIN, 'web-test-runner'), ['--config', 'test/web-test-runner.config.mjs'], { env });
      // With Pub/Sub, so that the sweep function is registered; it runs only
      // when a test calls it (runScheduled), as Cloud Scheduler would.
      // One test file at a time per emulator suite: they share its emulators
      // and clear them.
      // With the local coturn: the end-to-end tests relay calls through it.
      // At most 4 function runs at once. The emulator's default is 50, each
      // run in a Node process of its own, booted when every process of that
      // function is busy: on 2 cores, a burst of requests is mostly spent
      // booting processes. Measured (2026-12-07), the load, moderation and
      // link-call emulator files: 147–152 s with 16, 106 s with 4, 99 s
      // with 2 (the 100-client test 52–53 s, 23 s, 21 s); earlier, that test
      // took 101 s with 50 and 58 s with 16. Kept above 2 so that the
      // sweep's half-minute liveness pass never holds half the slots.
      // `npm start` and the bench keep the default; FUNCTIONS_EMULATOR_PARALLEL
      // set by hand wins.
      const e2eEnv = { ...env, FUNCTIONS_EMULATOR_PARALLEL: process.env.FUNCTIONS_EMULATOR_PARALLEL ?? '4' };
      // A second emulator suite, with its own coturn, in a network namespace
      // of its own (its own loopback: the same ports), so that neither sees
      // the other's data, sweeps or relay allocations, runs the end-to-end
      // files that mostly wait (E2E_BESIDE) beside the first.
      const besideFiles = serial ? [] : rest.filter((f) => E2E_BESIDE.some((name) => f.endsWith(`${name}.test.js`)));
      const mainFiles = rest.filter((f) => !besideFiles.includes(f));
      const e2eCommand = (layer, files) =>
        emulatorsCommand(
          `node --test --test-concurrency=1 ${nodeTestReporters(layer).join(' ')} ${files.join(' ')}`,
          START_EMULATORS,
          { turn: true },
        );
      writeLocalConfig();
      let beside = null;
      if (besideFiles.length > 0) {
        // Its own temp folder: firebase-tools keeps a locator file there per
        // project (as for the rules tests above).
        const besideTmp = join(CACHE, 'tmp', 'e2e-beside');
        mkdirSync(besideTmp, { recursive: true });
        beside = runIsolatedBeside(
          'e2e-beside',
          { ...e2eEnv, TMPDIR: besideTmp, PARLEY_TURN_INSTANCE: 'beside' },
          e2eCommand('e2e-beside', besideFiles),
        );
        step(
          `end-to-end tests that mostly wait (${besideFiles.map((f) => basename(f, '.test.js')).join(', ')}), beside the next layer`,
        );
      }
      step(`emulator and end-to-end tests (${mainFiles.length} files)`);
      await besideOf(
        beside,
        () => step('waiting for the end-to-end tests beside'),
        () => withFailureSummaryAsync('e2e', () => runIsolated(e2eEnv, e2eCommand('e2e', mainFiles), runAsync)),
      );
      step('all test layers passed');
      return;
    }
    case 'bench': {
      if (process.env.PARLEY_BENCH_BASELINE) {
        // Compare mode: the baseline's bench and this tree's, each run by its
        // own parley.mjs in alternation, then one table (test/bench/compare-bench.ts).
        build(['tests']);
        run(process.execPath, [join(ROOT, 'build', 'test', 'bench', 'compare-bench.js')], { env });
        return;
      }
      ensureCoturn();
      ensureFirestoreEmulator(env);
      ensurePubsubEmulator(env);
      ensureChromium(env);
      build(['functions', 'web', 'tests']);
      emulatorsExec(env, 'node build/test/bench/run-bench.js', START_EMULATORS, { turn: true });
      return;
    }
    case 'exec': {
      // One test file (or any command) against the emulator suite, as npm
      // test runs it: `node scripts/parley.mjs exec node --test build/test/e2e/x.test.js`.
      ensureFirestoreEmulator(env);
      ensurePubsubEmulator(env);
      ensureChromium(env);
      ensureFirefox(env);
      ensureNftables();
      ensureCoturn();
      build(['functions', 'web', 'tests']);
      emulatorsExec(env, process.argv.slice(3).join(' '), START_EMULATORS, { turn: true });
      return;
    }
    default:
      throw new Error(`unknown command ${command}; use start, test, bench, build or exec`);
  }
}

// Run as a script; tests import the helpers above without running anything.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(`\x1b[31m[parley]\x1b[0m ${err.message}`);
    process.exit(err.exitCode ?? 1);
  });
}
