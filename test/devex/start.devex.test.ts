/**
 * `npm start` as a developer meets it, after `npm test` has built everything:
 * it builds nothing, prints the address once (when the site answers) with a
 * line per emulator, runs the scheduled `sweep`, and stops, leaving no
 * emulator, function worker or TURN relay (coturn) behind and no port bound,
 * however it is told to: one Ctrl+C (the terminal's whole process group),
 * SIGINT to npm's PID (an IDE's stop button, `timeout -s INT`), SIGTERM to
 * the PID of the `node scripts/parley.mjs start` that npm runs. A start after
 * one killed with SIGKILL ends what that one left and says so; a port held
 * by anything else is named with its holder.
 *
 * Starts its own emulators: scripts/parley.mjs runs this file in a
 * loopback-only network namespace of its own, beside lint, unit, deploy and
 * the rules tests, before the other emulator layers. What a start left
 * behind is looked for in this namespace only: the rules tests' emulator
 * runs in another, and the others start no emulator and bind no port.
 * Timing is printed, not asserted (the machine is shared).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { boundPorts, emulatorAddress, EMULATORS, killEverything, leftovers, NpmStart, portOpen } from './npm-start.js';

/** What every way of stopping must leave: one stop message, exit code 0, no process of it, no port bound. */
async function assertStoppedCleanly(start: NpmStart, code: number | null | 'timeout', stopAt: number, how: string) {
  console.log(`# ${how} to exit: ${((Date.now() - stopAt) / 1000).toFixed(1)} s`);
  assert.notEqual(code, 'timeout', `npm start still ran 60 s after ${how}; output:\n${start.output.slice(-3000)}`);
  assert.equal(code, 0, `npm start exits 0 after ${how}; output:\n${start.output.slice(-3000)}`);
  assert.equal(start.output.match(/stopping the emulators/g)?.length, 1, 'one stop message');
  assert.match(start.output, /\[parley\]\S* stopped/);
  assert.doesNotMatch(
    start.output,
    /still running, stop by hand|may still be running|kill -9|SIGINT \(Ctrl-C\) for the second time/i,
  );
  assert.deepEqual(await boundPorts(), [], 'no port of the suite or the relay is bound');
  assert.deepEqual(leftovers(), [], 'no process of it is left (emulators, function workers, coturn, firebase-tools)');
}

/**
 * Runs `body` while `start` runs, then stops it with `send` and checks that
 * it stopped cleanly. When `body` fails, stops it the same way and reports
 * that failure.
 */
async function whileRunning(start: NpmStart, body: () => Promise<void>, how: string, send: () => void) {
  try {
    await body();
  } catch (err) {
    try {
      send();
    } catch {
      // it has exited already
    }
    await start.exit();
    throw err;
  }
  const stopAt = Date.now();
  send();
  await assertStoppedCleanly(start, await start.exit(), stopAt, how);
}

/** The emulators and the relay run; a function worker may or may not yet. */
function assertSuiteRuns(start: NpmStart) {
  const kinds = start.runningKinds();
  for (const kind of ['firestore', 'pubsub', 'coturn', 'firebase-tools'])
    assert.ok(kinds.includes(kind), `${kind} runs (${kinds})`);
}

describe('npm start', () => {
  it('names what holds a port of the suite, and starts nothing', { timeout: 120_000 }, async () => {
    const { port } = emulatorAddress('pubsub');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const start = new NpmStart();
      const code = await start.exit();
      assert.notEqual(code, 'timeout');
      assert.notEqual(code, 0, 'npm start fails');
      assert.match(start.output, new RegExp(`port ${port} \\(pubsub\\) is taken by pid ${process.pid}: \\S*node`));
      assert.match(start.output, new RegExp(`kill ${process.pid}\\b`), 'it says how to stop it');
      assert.doesNotMatch(start.output, /starting the emulator suite/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    assert.deepEqual(await boundPorts(), []);
    assert.deepEqual(leftovers(), []);
  });

  it('starts without building, announces once, runs the sweep, stops on one Ctrl+C', { timeout: 300_000 }, async () => {
    const t0 = Date.now();
    const start = new NpmStart(['--verbose']);
    await whileRunning(
      start,
      async () => {
        await start.waitUntilServing();
        console.log(`# npm start with nothing to build: site announced after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

        assert.match(start.output, /functions, web: up to date/);
        assert.doesNotMatch(start.output, /\[parley\].* building /, 'nothing is rebuilt');
        assert.equal(start.output.match(/open http:\/\//g)?.length, 1, 'the address is printed once');
        for (const name of EMULATORS) {
          const { host, port } = emulatorAddress(name);
          assert.equal(
            start.output.match(new RegExp(`\\[parley\\]\\S*\\s+${name}\\s+http://${host}:${port}`, 'g'))?.length,
            1,
            `one line for ${name}`,
          );
        }
        // The local TURN relay runs beside the emulators, and answers.
        assert.match(start.output, /\[parley\]\S*\s+turn\s+turn:127\.0\.0\.1:3478/, 'one line for the relay');
        assert.equal(await portOpen('127.0.0.1', 3478), true, 'coturn listens on 3478');
        // The scheduled sweeper runs at once, then every minute, through the
        // Functions emulator; each run ends with its liveness pass 30 s later.
        await start.waitFor(/"message":"sweep"/, 60_000, 'the sweep function to run');
        await start.waitFor(/Finished "us-central1-sweep"/, 90_000, 'the sweep function (and its liveness pass) to finish');
        assert.match(start.output, /"message":"sweep \(liveness\)"/);

        // A second start beside the running one refuses, and says which one runs.
        const second = new NpmStart();
        const code = await second.exit();
        assert.notEqual(code, 0);
        assert.match(second.output, new RegExp(`npm start already runs for this checkout \\(pid ${start.scriptPid()}\\)`));
        assertSuiteRuns(start);
      },
      'Ctrl+C',
      // A terminal's Ctrl+C: SIGINT to the whole foreground group (npm and the script npm runs).
      () => process.kill(-start.pid, 'SIGINT'),
    );
  });

  it('stops on SIGTERM to the PID of node scripts/parley.mjs start, a function running', { timeout: 300_000 }, async () => {
    const start = new NpmStart(['--verbose']);
    let script = 0;
    await whileRunning(
      start,
      async () => {
        await start.waitUntilServing();
        script = start.scriptPid();
        await start.waitFor(/"message":"sweep"/, 60_000, 'the sweep function to run');
        assertSuiteRuns(start);
        assert.ok(start.runningKinds().includes('function worker'), 'the sweep runs in a function worker');
      },
      'SIGTERM to the script',
      () => process.kill(script || start.pid, 'SIGTERM'),
    );
  });

  it(
    "a start after one killed with SIGKILL stops what that one left, and says so; SIGINT to npm's PID stops it",
    { timeout: 400_000 },
    async () => {
      const crashed = new NpmStart();
      let crashedPid: number;
      try {
        await crashed.waitUntilServing();
        crashedPid = crashed.scriptPid();
        process.kill(crashedPid, 'SIGKILL');
        await crashed.exit();
        const left = leftovers();
        assert.ok(left.some((p) => /firestore-emulator/.test(p)) && left.some((p) => /turnserver/.test(p)), left.join('\n'));
      } catch (err) {
        killEverything(crashed.pid);
        throw err;
      }

      const next = new NpmStart();
      await whileRunning(
        next,
        async () => {
          await next.waitUntilServing();
          assert.match(
            next.output,
            new RegExp(
              `an earlier npm start \\(pid ${crashedPid}\\) ended without stopping what it started; stopping \\d+ processes`,
            ),
          );
          assert.match(next.output, /\[parley\]\S*\s+pid \d+: java /, 'it names what it stops');
          assert.match(next.output, /\[parley\]\S*\s+pid \d+: \S*turnserver /);
          assert.doesNotMatch(next.output, /multiple instances/, 'no firebase-tools warning that nobody explains');
          assertSuiteRuns(next);

          // Stopped just after "ready", while the first sweep's function
          // worker is still loading (what an IDE's stop button, or timeout -s
          // INT, sends: SIGINT to npm's PID only, not its group).
        },
        "SIGINT to npm's PID",
        () => process.kill(next.pid, 'SIGINT'),
      );
    },
  );
});
