/**
 * `npm start` run the way a developer runs it, for the devex tests: its
 * output, its PIDs (npm's, and that of the `node scripts/parley.mjs start`
 * npm runs), and what it leaves behind once it is gone.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ROOT } from '../deploy/support.js';

const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as {
  emulators: Record<string, { host: string; port: number } | Record<string, unknown>>;
};

/** The emulators `npm start` runs, each with a line of its own in the output. */
export const EMULATORS = ['auth', 'firestore', 'functions', 'hosting', 'pubsub'];
/** Where an emulator listens (firebase.json). */
export function emulatorAddress(name: string): { host: string; port: number } {
  return config.emulators[name] as { host: string; port: number };
}

/**
 * Every port the suite and the relay bind: the emulators, the hub and the
 * logging emulator (firebase.json), the Firestore emulator's WebSocket port
 * (firebase-tools' default) and coturn's TURN port (TCP and UDP).
 */
export const SUITE_PORTS = [
  ...Object.values(config.emulators).flatMap((e) => (typeof e.port === 'number' ? [e.port] : [])),
  9150,
  3478,
];

/** The variable every process of an `npm start` carries (scripts/processes.mjs). */
const OWNER_VARIABLE = 'PARLEY_START_OWNER';

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** UDP ports bound in this network namespace, from the kernel's socket tables. */
function boundUdpPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local) ports.add(parseInt(local.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Which of SUITE_PORTS something still listens on (TCP on 127.0.0.1) or has bound (UDP). */
export async function boundPorts(): Promise<number[]> {
  const udp = boundUdpPorts();
  const bound: number[] = [];
  for (const port of SUITE_PORTS) {
    if ((await portOpen('127.0.0.1', port)) || udp.has(port)) bound.push(port);
  }
  return bound;
}

interface ProcessSeen {
  pid: number;
  ppid: number;
  command: string;
  /** The pid of the `npm start` (parley.mjs) that started it, from OWNER_VARIABLE; null when unmarked. */
  owner: number | null;
}

/** Processes in this network namespace (others may run suites of their own in theirs). */
function processes(): ProcessSeen[] {
  const ownNet = readlinkSync('/proc/self/ns/net');
  const out: ProcessSeen[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) !== ownNet) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue; // exited, waiting to be reaped
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const mark = readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .find((kv) => kv.startsWith(`${OWNER_VARIABLE}=`) && kv.endsWith(`:${ROOT}`));
      const owner = mark ? Number(mark.slice(OWNER_VARIABLE.length + 1).split(':')[0]) : null;
      out.push({ pid: Number(pid), ppid: Number(fields[1]), command, owner });
    } catch {
      continue; // gone in between
    }
  }
  return out;
}

/**
 * What an `npm start` of this checkout left running: processes it marked
 * (OWNER_VARIABLE: coturn, firebase-tools, the Java emulators, function
 * workers), and, checked by command line independently of that mark, Java
 * emulators and coturn running from this checkout's .cache and
 * firebase-tools' emulators:start from its node_modules.
 */
export function leftovers(): string[] {
  return processes()
    .filter(
      (p) =>
        p.pid !== process.pid &&
        (p.owner !== null ||
          p.command.includes(join(ROOT, '.cache')) ||
          (p.command.includes(join(ROOT, 'node_modules')) && p.command.includes('emulators:start'))),
    )
    .map((p) => `${p.pid} ${p.command.slice(0, 160)}`);
}

/** Kinds of process an `npm start` runs, recognised by command line. */
export const KINDS = {
  firestore: /firestore-emulator/,
  pubsub: /pubsub-emulator/,
  coturn: /turnserver/,
  'firebase-tools': /emulators:start/,
  'function worker': /functionsEmulatorRuntime/,
} as const;

/** The parley.mjs PIDs of the starts these tests ran: what they started is theirs to kill. */
const startedByTests = new Set<number>();

/** The starts not yet exited. */
const running = new Set<NpmStart>();

/**
 * Interrupted (npm test stops these checks when a layer beside them fails;
 * a person's Ctrl+C): each start still running is stopped as a person
 * would stop it (SIGINT to its group), and killed if it has not exited
 * within 30 s, rather than left running with nobody to stop it.
 */
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const starts = [...running];
    for (const start of starts) {
      try {
        process.kill(-start.pid, 'SIGINT');
      } catch {
        // gone
      }
    }
    const status = signal === 'SIGINT' ? 130 : 143;
    const late = setTimeout(() => {
      for (const start of starts) killEverything(start.pid);
      process.exit(status);
    }, 30_000);
    void Promise.all(starts.map((s) => s.exited)).then(() => {
      clearTimeout(late);
      process.exit(status);
    });
  });
}

/** `npm start` in a process group of its own, like a shell job. */
export class NpmStart {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  output = '';
  readonly exited: Promise<number | null>;
  private hasExited = false;

  constructor(args: string[] = []) {
    this.child = spawn('npm', ['start', ...(args.length > 0 ? ['--', ...args] : [])], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    running.add(this);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.hasExited = true;
        running.delete(this);
        resolve(code);
      }),
    );
  }

  /** npm's PID. */
  get pid(): number {
    return this.child.pid!;
  }

  /** The PID of `node scripts/parley.mjs start`, which npm runs. */
  scriptPid(): number {
    const all = processes();
    const descends = (p: ProcessSeen): boolean => {
      for (let at: ProcessSeen | undefined = p; at; at = all.find((q) => q.pid === at!.ppid)) {
        if (at.ppid === this.pid) return true;
      }
      return false;
    };
    const script = all.find((p) => p.command.includes('scripts/parley.mjs start') && descends(p));
    if (!script) throw new Error(`no scripts/parley.mjs start under npm (pid ${this.pid})`);
    startedByTests.add(script.pid);
    return script.pid;
  }

  /** Kinds of KINDS among the processes this start runs now. */
  runningKinds(): string[] {
    const mine = processes().filter((p) => p.owner === this.scriptPid());
    return Object.entries(KINDS)
      .filter(([, pattern]) => mine.some((p) => pattern.test(p.command)))
      .map(([kind]) => kind);
  }

  async waitFor(pattern: RegExp, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.output)) {
      if (this.hasExited) throw new Error(`npm start exited before ${what}; output:\n${this.output.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${this.output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits for the ready line and checks that the site it names answers; returns its address. */
  async waitUntilServing(ms = 240_000): Promise<string> {
    await this.waitFor(/ready in [\d.]+ s: open (http:\S+)/, ms, 'the ready line');
    this.scriptPid();
    const site = /open (http:\S+)/.exec(this.output)![1]!;
    const res = await fetch(site);
    if (res.status !== 200) throw new Error(`the site answered ${res.status} when announced`);
    return site;
  }

  /**
   * Waits for npm to exit, at most `ms`. On 'timeout' (a failed test) it
   * kills npm's group and every process the tests' starts marked, so that
   * the next test finds the ports free.
   */
  async exit(ms = 60_000): Promise<number | null | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
    clearTimeout(timer); // else it holds the test process open for the full wait
    if (code === 'timeout') {
      try {
        this.scriptPid();
      } catch {
        // npm has no script left; what it started is known from earlier
      }
      killEverything(this.pid);
    }
    return code;
  }
}

/** SIGKILL to npm's group and to whatever the tests' starts marked in this network namespace. */
export function killEverything(npmPid?: number): void {
  const targets = processes().filter((p) => p.owner !== null && startedByTests.has(p.owner));
  for (const pid of [...(npmPid ? [-npmPid] : []), ...targets.map((p) => p.pid)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
