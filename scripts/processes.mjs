// The processes `npm start` runs, found and stopped through /proc (Linux).
// firebase-tools starts each Java emulator in a process group of its own and
// the Functions emulator starts workers on demand, so a list of the groups we
// spawned would miss some; instead every process a start spawns carries an
// environment variable naming that start (OWNER_VARIABLE), which children
// inherit at any depth. Node built-ins only, like parley.mjs which imports it.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Set in the environment of everything one `npm start` spawns: `<pid>:<start time>:<checkout root>` of that start. */
export const OWNER_VARIABLE = 'PARLEY_START_OWNER';

/**
 * One process as /proc/<pid>/stat shows it, or null when there is none.
 * `startTime` (clock ticks after boot) tells a process from a later one that
 * was given the same pid.
 */
export function readProcess(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name, in parentheses, may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]) };
}

/**
 * Whether `p` ({ pid, startTime }) still runs: the same process, and not a
 * zombie waiting to be reaped. A main thread shows as a zombie while its
 * other threads still exit, holding its files and sockets: that still runs.
 */
export function isAlive(p) {
  const now = readProcess(p.pid);
  if (now === null || now.startTime !== p.startTime) return false;
  if (now.state !== 'Z') return true;
  try {
    return readdirSync(`/proc/${p.pid}/task`).length > 1;
  } catch {
    return false;
  }
}

/** The mark this process gives its children (see OWNER_VARIABLE). */
export function ownerMark(root) {
  return `${process.pid}:${readProcess(process.pid).startTime}:${root}`;
}

function parseOwnerMark(value) {
  const m = /^(\d+):(\d+):(.*)$/.exec(value);
  return m ? { pid: Number(m[1]), startTime: Number(m[2]), root: m[3] } : null;
}

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // gone, or another user's
  }
}

function commandLine(pid) {
  return (readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ').trim();
}

function networkNamespace(pid) {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

function pids() {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/**
 * Live processes that an `npm start` of the checkout `root` spawned in this
 * network namespace (a start in another namespace has ports of its own and
 * is none of ours), each with `owner`, the { pid, startTime } of that start.
 */
export function startedProcesses(root) {
  const ownNet = networkNamespace(process.pid);
  const found = [];
  for (const pid of pids()) {
    if (pid === process.pid) continue;
    const environ = readText(`/proc/${pid}/environ`);
    if (!environ?.includes(`${OWNER_VARIABLE}=`)) continue;
    const entry = environ.split('\0').find((kv) => kv.startsWith(`${OWNER_VARIABLE}=`));
    const owner = parseOwnerMark(entry.slice(OWNER_VARIABLE.length + 1));
    if (owner?.root !== root || networkNamespace(pid) !== ownNet) continue;
    const p = readProcess(pid);
    if (p && isAlive(p)) found.push({ ...p, owner: { pid: owner.pid, startTime: owner.startTime }, command: commandLine(pid) });
  }
  return found;
}

/** Live members of the process group `pgid` (a group this process created, so all of them are ours). */
export function groupMembers(pgid) {
  return pids()
    .map(readProcess)
    .filter((p) => p && p.pgid === pgid && isAlive(p))
    .map((p) => ({ ...p, command: commandLine(p.pid) }));
}

/** `pid 123: java -jar …`, shortened for a log line. */
export function describeProcess(p) {
  const command = p.command.length > 110 ? `${p.command.slice(0, 110)}…` : p.command;
  return `pid ${p.pid}: ${command || '(no command line)'}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to each of `procs` that still runs, then waits until all have
 * exited, at most `graceMs` (or until `hurry` resolves: a second Ctrl+C),
 * then SIGKILL to the rest and up to 2 s more for the kernel to end them.
 * Resolves with the processes still alive after that (normally none).
 */
export async function stopProcesses(procs, { graceMs, hurry = new Promise(() => {}) }) {
  const signal = (sig) => {
    for (const p of procs.filter(isAlive)) {
      try {
        process.kill(p.pid, sig);
      } catch {
        // exited in between
      }
    }
  };
  const allGone = async (ms) => {
    const deadline = Date.now() + ms;
    while (procs.some(isAlive) && Date.now() < deadline) await sleep(100);
  };
  signal('SIGTERM');
  let hurried = false;
  void hurry.then(() => (hurried = true));
  const deadline = Date.now() + graceMs;
  while (procs.some(isAlive) && Date.now() < deadline && !hurried) await sleep(100);
  if (procs.some(isAlive)) {
    signal('SIGKILL');
    await allGone(2_000);
  }
  return procs.filter(isAlive);
}

/** Local ports of sockets in /proc/net/<file> (this network namespace's) in `states` (hex, as the kernel writes them), by inode. */
function boundSockets(file, states) {
  const text = readText(`/proc/net/${file}`);
  if (!text) return [];
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length > 9 && states.includes(cols[3]))
    .map((cols) => ({ port: parseInt(cols[1].split(':')[1], 16), inode: cols[9] }));
}

/**
 * Who holds each of `ports` in this network namespace: a listening TCP
 * socket or a bound UDP one. Returns [{ port, holders: [{ pid, command }] }]
 * for the ports that are taken; `holders` is empty when the process is not
 * ours to see (another user's).
 */
export function portHolders(ports) {
  // 0A: TCP_LISTEN; 07: TCP_CLOSE, which is how an unconnected bound UDP socket shows.
  const sockets = [
    ...['tcp', 'tcp6'].flatMap((f) => boundSockets(f, ['0A'])),
    ...['udp', 'udp6'].flatMap((f) => boundSockets(f, ['07', '01'])),
  ].filter((s) => ports.includes(s.port));
  if (sockets.length === 0) return [];
  const byInode = new Map(sockets.map((s) => [`socket:[${s.inode}]`, s.port]));
  const holders = new Map();
  for (const pid of pids()) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const port = byInode.get(target);
      if (port === undefined) continue;
      const list = holders.get(port) ?? [];
      if (!list.some((h) => h.pid === pid)) list.push({ pid, command: commandLine(pid) });
      holders.set(port, list);
    }
  }
  return [...new Set(sockets.map((s) => s.port))]
    .sort((a, b) => a - b)
    .map((port) => ({ port, holders: holders.get(port) ?? [] }));
}
