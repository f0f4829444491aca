/**
 * `npm start` as a developer meets it, after `npm test` has built everything:
 * it builds nothing, prints the address once (when the site answers) with a
 * line per emulator, runs the scheduled `sweep`, and one Ctrl+C stops it
 * with one message and leaves no emulator process behind, nor the local
 * TURN relay (coturn) it ran beside them.
 *
 * Starts its own emulators: scripts/parley.mjs runs this file in a
 * loopback-only network namespace, after the other emulator layers ended.
 * Timing is printed, not asserted (the machine is shared).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../deploy/support.js';

const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as {
  emulators: Record<string, { host: string; port: number }>;
};
const EMULATORS = ['auth', 'firestore', 'functions', 'hosting', 'pubsub'];

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Emulator processes of this checkout still alive (Java emulators,
 * firebase-tools) in this network namespace: others may run their own.
 */
function leftovers(): string[] {
  const out: string[] = [];
  const ownNet = readlinkSync('/proc/self/ns/net');
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) !== ownNet) continue;
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const ours =
      cmd.includes(join(ROOT, '.cache')) || (cmd.includes(join(ROOT, 'node_modules')) && cmd.includes('emulators:start'));
    if (ours && Number(pid) !== process.pid) out.push(`${pid} ${cmd.slice(0, 160)}`);
  }
  return out;
}

describe('npm start', () => {
  it('starts without building, announces once, runs the sweep, stops on one Ctrl+C', { timeout: 300_000 }, async () => {
    const t0 = Date.now();
    // Its own process group, like a shell job: Ctrl+C goes to npm and everything in the group.
    const child = spawn('npm', ['start', '--', '--verbose'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (pattern: RegExp, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(/ready in [\d.]+ s: open (http:\S+)/, 240_000, 'the ready line');
      const readyMs = Date.now() - t0;
      const site = /open (http:\S+)/.exec(output)![1]!;
      const res = await fetch(site);
      assert.equal(res.status, 200, 'the site answers when announced');
      console.log(`# npm start with nothing to build: site announced after ${(readyMs / 1000).toFixed(1)} s`);

      assert.match(output, /functions, web: up to date/);
      assert.doesNotMatch(output, /\[parley\].* building /, 'nothing is rebuilt');
      assert.equal(output.match(/open http:\/\//g)?.length, 1, 'the address is printed once');
      for (const name of EMULATORS) {
        const { host, port } = config.emulators[name]!;
        assert.equal(
          output.match(new RegExp(`\\[parley\\]\\S*\\s+${name}\\s+http://${host}:${port}`, 'g'))?.length,
          1,
          `one line for ${name}`,
        );
      }
      // The local TURN relay runs beside the emulators, and answers.
      assert.match(output, /\[parley\]\S*\s+turn\s+turn:127\.0\.0\.1:3478/, 'one line for the relay');
      assert.equal(await portOpen('127.0.0.1', 3478), true, 'coturn listens on 3478');
      // The scheduled sweeper runs at once, then every minute, through the
      // Functions emulator; each run ends with its liveness pass 30 s later.
      await waitFor(/"message":"sweep"/, 60_000, 'the sweep function to run');
      await waitFor(/Finished "us-central1-sweep"/, 90_000, 'the sweep function (and its liveness pass) to finish');
      assert.match(output, /"message":"sweep \(liveness\)"/);
    } finally {
      const stopAt = Date.now();
      process.kill(-child.pid!, 'SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), 60_000)))]);
      clearTimeout(timer); // else it holds the test process open for the full minute
      if (code === 'timeout') process.kill(-child.pid!, 'SIGKILL');
      console.log(`# Ctrl+C to exit: ${((Date.now() - stopAt) / 1000).toFixed(1)} s`);
    }
    assert.equal(output.match(/stopping the emulators/g)?.length, 1, 'one stop message');
    assert.match(output, /\[parley\]\S* stopped/);
    assert.doesNotMatch(output, /may still be running|kill -9|SIGINT \(Ctrl-C\) for the second time/i);
    for (const name of EMULATORS) {
      const { host, port } = config.emulators[name]!;
      assert.equal(await portOpen(host, port), false, `${name} no longer listens on ${port}`);
    }
    assert.equal(await portOpen('127.0.0.1', 3478), false, 'coturn no longer listens on 3478');
    assert.deepEqual(leftovers(), [], 'no emulator process is left (coturn included: its configuration is under .cache)');
  });
});
