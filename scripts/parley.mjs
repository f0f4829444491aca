#!/usr/bin/env node
// Parley's one entry point for developers and CI: `npm start`, `npm test`,
// `npm run bench` and `npm run build` all come here. It installs what a fresh
// clone lacks, builds, and runs the emulator suite. Node built-ins only: it
// must work before `npm install` has run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CACHE = join(ROOT, '.cache');
const BIN = join(ROOT, 'node_modules', '.bin');
/** The demo- prefix makes the emulators run without a login or network. */
export const PROJECT_ID = 'demo-parley';
const EMULATORS = 'auth,firestore,functions,hosting';
/** The gcloud component's emulator, present on our machines (see README, Troubleshooting). */
const GCLOUD_FIRESTORE_JAR = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const log = (msg) => console.log(`\x1b[36m[parley]\x1b[0m ${msg}`);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    const err = new Error(`${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal}`);
    err.exitCode = res.status ?? 1;
    throw err;
  }
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
  // `npm install`, not `npm ci`, even in CI: the registry these machines reach
  // lacks rollup's native packages for other platforms (e.g.
  // @rollup/rollup-android-arm-eabi@4.68.7 is a 404), so the lock file cannot
  // list them and `npm ci` refuses the lock as out of sync. `npm install`
  // still installs exactly the locked versions.
  run('npm', ['install', '--no-audit', '--no-fund']);
}

function javaMajor() {
  const res = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (res.status !== 0) return 0;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(res.stderr);
  if (!m) return 0;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
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
    if (!has('jar', ['--version'])) aptInstall(['openjdk-17-jdk-headless'], 'the JDK jar tool');
    mkdirSync(CACHE, { recursive: true });
    // The gcloud JAR has no Main-Class while firebase-tools runs `java -jar`:
    // a manifest-only JAR names the class and puts the real JAR on the class path.
    const manifest = join(CACHE, 'firestore-emulator.manifest');
    writeFileSync(
      manifest,
      `Main-Class: com.google.cloud.datastore.emulator.firestore.CloudFirestore\nClass-Path: ${GCLOUD_FIRESTORE_JAR}\n`,
    );
    execFileSync('jar', ['cfm', wrapper, manifest], { cwd: CACHE });
    log(`made ${relative(ROOT, wrapper)} around the gcloud Firestore emulator`);
  }
  env.FIRESTORE_EMULATOR_BINARY_PATH = wrapper;
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

function build() {
  log('building functions, web client and tests');
  run(join(BIN, 'tsc'), ['-p', 'functions']);
  run(join(BIN, 'tsc'), ['-p', 'web']);
  run(join(BIN, 'rollup'), ['-c', 'rollup.config.mjs', '--silent'], { cwd: join(ROOT, 'web') });
  run(join(BIN, 'tsc'), ['-p', 'test']);
  run(join(BIN, 'tsc'), ['-p', 'test/web']); // type-check only: the runner compiles these itself
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

function emulatorsExec(env, command, only = EMULATORS) {
  const firebase = join(BIN, 'firebase');
  const inner = `${firebase} emulators:exec --project ${PROJECT_ID} --only ${only} ${JSON.stringify(command)}`;
  const netns = loopbackOnlyPrefix();
  if (netns) {
    log('running the emulator suite in a loopback-only network namespace');
    run(netns[0], [...netns.slice(1), `ip link set lo up && ${inner}`], { env });
  } else {
    run('sh', ['-c', inner], { env });
  }
}

async function main() {
  const command = process.argv[2] ?? 'test';
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
      build();
      return;
    case 'start': {
      ensureFirestoreEmulator(env);
      build();
      log(`starting the emulator suite on project ${PROJECT_ID}`);
      log('open http://127.0.0.1:5000 in two tabs (or two browsers), pick a room and press Start');
      const child = spawn(join(BIN, 'firebase'), ['emulators:start', '--project', PROJECT_ID, '--only', EMULATORS], {
        stdio: 'inherit',
        cwd: ROOT,
        env,
      });
      for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
      child.on('exit', (code) => process.exit(code ?? 0));
      return;
    }
    case 'test': {
      ensureFirestoreEmulator(env);
      ensureChromium(env);
      build();
      const unit = testFiles(join(ROOT, 'build', 'test', 'unit'), '.test.js');
      log(`unit tests (${unit.length} files, no emulator, no browser)`);
      run(process.execPath, ['--test', ...unit], { env });
      log('component and WebRTC tests in Chromium (@web/test-runner)');
      run(join(BIN, 'web-test-runner'), ['--config', 'test/web-test-runner.config.mjs'], { env });
      const emu = [
        ...testFiles(join(ROOT, 'build', 'test', 'emulator'), '.test.js'),
        ...testFiles(join(ROOT, 'build', 'test', 'e2e'), '.test.js'),
      ].map((f) => relative(ROOT, f));
      // The rules suite gets a Firestore emulator of its own: with the Functions
      // emulator running, the onCallDeleted trigger would react to the suite
      // clearing its seeded calls and race its next seed.
      const rules = emu.filter((f) => f.includes('firestore-rules'));
      const rest = emu.filter((f) => !rules.includes(f));
      log(`security rules tests (${rules.length} file, Firestore emulator only)`);
      emulatorsExec(env, `node --test ${rules.join(' ')}`, 'firestore');
      log(`emulator and end-to-end tests (${rest.length} files)`);
      // One test file at a time: they share the emulators and clear them.
      emulatorsExec(env, `node --test --test-concurrency=1 ${rest.join(' ')}`);
      log('all test layers passed');
      return;
    }
    case 'bench': {
      ensureFirestoreEmulator(env);
      ensureChromium(env);
      build();
      emulatorsExec(env, 'node build/test/bench/run-bench.js');
      return;
    }
    default:
      throw new Error(`unknown command ${command}; use start, test, bench or build`);
  }
}

main().catch((err) => {
  console.error(`\x1b[31m[parley]\x1b[0m ${err.message}`);
  process.exit(err.exitCode ?? 1);
});
