/**
 * Taking the local TURN relay down and bringing it back, for the tests and
 * the benchmark that measure how calls survive it. scripts/parley.mjs runs
 * coturn beside the emulators and owns it (`with-turn`): it kills it on
 * SIGUSR1 and starts it again, same configuration, secret and port, on
 * SIGUSR2, and names itself in PARLEY_RELAY_CONTROL_PID. Outside it (a test
 * run by hand) there is no relay to control: `relayControl()` is null.
 */
import { connect } from 'node:net';

/** Where coturn listens (scripts/coturn.mjs: TURN_HOST, TURN_PORT). */
const TURN_HOST = '127.0.0.1';
const TURN_PORT = 3478;

function portOpen(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: TURN_HOST, port: TURN_PORT });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitPort(open: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await portOpen()) !== open) {
    if (Date.now() > deadline) throw new Error(`the relay's port ${TURN_PORT} is still ${open ? 'closed' : 'open'}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RelayControl {
  /** Kills coturn with SIGKILL (a crash: every allocation dies); resolves once its port is closed. */
  kill(): Promise<void>;
  /** Starts coturn again; resolves with the time (Date.now()) its port accepts connections. */
  start(): Promise<number>;
}

export function relayControl(): RelayControl | null {
  const pid = Number(process.env['PARLEY_RELAY_CONTROL_PID']);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return {
    async kill() {
      process.kill(pid, 'SIGUSR1');
      await waitPort(false, 10_000);
    },
    async start() {
      process.kill(pid, 'SIGUSR2');
      await waitPort(true, 15_000);
      return Date.now();
    },
  };
}

/** Whether the relay is up now (a test leaves it up, whatever happened). */
export function relayUp(): Promise<boolean> {
  return portOpen();
}
