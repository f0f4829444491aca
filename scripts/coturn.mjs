// The local TURN relay: a real coturn (Debian's package) on 127.0.0.1, run
// as a child process by `npm start`, `npm test` and `npm run bench`, with the
// same shared secret the Functions emulator reads from functions/.secret.local.
// Node built-ins only, like parley.mjs which imports it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** Where coturn listens locally: TURN_URLS' default in functions/src/config.ts says the same. */
export const TURN_HOST = '127.0.0.1';
export const TURN_PORT = 3478;
/**
 * Relay ports: one per allocation, and a link that uses the relay allocates
 * once per TURN URL (two here, TURN_URLS' default). A test's five-person call
 * relayed everywhere takes 40; a hundred leaves room for two such calls and
 * a developer's tabs.
 */
export const RELAY_PORTS = { min: 49152, max: 49251 };
export const TURN_REALM = 'parley.local';
/**
 * Allocations one credential (one page) may hold at once: docs/TURN.md says
 * why 24 (a page in a call of five, on two networks, with three TURN URLs).
 */
export const USER_QUOTA = 24;
/** The candidates' binary, and Debian's package that has it. */
const TURNSERVER_CANDIDATES = ['/usr/bin/turnserver', '/usr/local/bin/turnserver'];

/**
 * Paths of the local relay's files, all under .cache/ (git-ignored). One
 * secret for every relay of the checkout (the Functions emulator mints with
 * it); each relay instance keeps its config, log, pid and database in a
 * folder of its own: PARLEY_TURN_INSTANCE names it (npm test runs a second
 * emulator suite with its own relay beside the first, each in its own network
 * namespace, see scripts/parley.mjs), else .cache/turn itself.
 */
export function turnPaths(root, instance = process.env.PARLEY_TURN_INSTANCE) {
  const dir = join(root, '.cache', 'turn');
  const own = instance ? join(dir, instance) : dir;
  return {
    dir,
    own,
    secret: join(dir, 'secret'),
    config: join(own, 'turnserver.conf'),
    log: join(own, 'turnserver.log'),
    pid: join(own, 'turnserver.pid'),
    functionsSecrets: join(root, 'functions', '.secret.local'),
  };
}

/** The installed turnserver binary, or null. */
export function findTurnserver() {
  return TURNSERVER_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * The development relay's secret: generated once per checkout into
 * .cache/turn/secret (never committed: a secret that is in git is no secret,
 * and a developer may expose their relay on a LAN), and copied into
 * functions/.secret.local as TURN_SECRET for the Functions emulator. Other
 * lines of that file (a developer's own secrets) are kept.
 */
export function ensureTurnSecret(root) {
  const paths = turnPaths(root);
  mkdirSync(paths.dir, { recursive: true });
  if (!existsSync(paths.secret)) writeFileSync(paths.secret, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  const secret = readFileSync(paths.secret, 'utf8').trim();
  const line = `TURN_SECRET=${secret}`;
  const existing = existsSync(paths.functionsSecrets) ? readFileSync(paths.functionsSecrets, 'utf8') : '';
  const others = existing.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('TURN_SECRET='));
  const text = `${[...others, line].join('\n')}\n`;
  if (text !== existing) {
    writeFileSync(paths.functionsSecrets, text, { mode: 0o600 });
    chmodSync(paths.functionsSecrets, 0o600);
  }
  return secret;
}

/**
 * coturn's configuration for local development: loopback only, REST-API
 * credentials (use-auth-secret), no TLS (nothing to certify on 127.0.0.1),
 * loopback peers allowed (refused by default, and every peer here is on
 * loopback), no CLI, log to a file under .cache/. Production's is in docs/TURN.md.
 */
export function coturnConfig(root, secret) {
  const paths = turnPaths(root);
  return [
    `listening-ip=${TURN_HOST}`,
    `relay-ip=${TURN_HOST}`,
    `listening-port=${TURN_PORT}`,
    `min-port=${RELAY_PORTS.min}`,
    `max-port=${RELAY_PORTS.max}`,
    `realm=${TURN_REALM}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    'fingerprint',
    'allow-loopback-peers',
    'no-multicast-peers',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-software-attribute',
    // Production's per-user allocation quota (docs/TURN.md), so that tests relay under it too.
    `user-quota=${USER_QUOTA}`,
    `pidfile=${paths.pid}`,
    // coturn opens a user database even when it needs none; keep it here, not in /var/lib.
    `userdb=${join(paths.own, 'turndb')}`,
    `log-file=${paths.log}`,
    // One file, no date in its name (coturn adds one otherwise).
    'simple-log',
    // Each session, allocation and refusal: without it the log says nothing after
    // startup, and a relay test that could not allocate could not say why. (Local
    // only: every address here is 127.0.0.1. docs/TURN.md has production's config.)
    'verbose',
    '',
  ].join('\n');
}

function portOpen(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts coturn as a child in its own process group (so a terminal's Ctrl+C
 * does not stop it before the emulators: the caller stops it after them),
 * and resolves once it accepts connections. Returns `{ pid, stop() }`;
 * `stop` resolves when it has exited.
 */
export async function startCoturn(root, secret, { binary = findTurnserver() } = {}) {
  if (!binary) throw new Error('coturn (turnserver) is not installed');
  const paths = turnPaths(root);
  mkdirSync(paths.own, { recursive: true });
  // The secret goes in a file only we can read, not on a command line anyone can list.
  writeFileSync(paths.config, coturnConfig(root, secret), { mode: 0o600 });
  chmodSync(paths.config, 0o600);
  writeFileSync(paths.log, '');
  if (await portOpen(TURN_HOST, TURN_PORT)) {
    throw new Error(`port ${TURN_PORT} on ${TURN_HOST} is taken (another TURN server?): stop it and retry`);
  }
  // -c: ours instead of /etc/turnserver.conf (-n would ignore every file, ours too).
  const child = spawn(binary, ['-c', paths.config], { stdio: 'ignore', detached: true, cwd: root });
  let exitCode = null;
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve();
    }),
  );
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(TURN_HOST, TURN_PORT))) {
    if (exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const tail = existsSync(paths.log) ? readFileSync(paths.log, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`coturn did not start (exit ${exitCode ?? 'timeout'}); ${paths.log} ends with:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 3_000);
      await exited;
      clearTimeout(killer);
    })();
    return stopping;
  };
  return { pid: child.pid, stop, exited };
}
