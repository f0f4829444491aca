/**
 * `npm run bench`: Parley's figures, measured in one run on this machine, on
 * the emulator suite and the built site, in real Chromium with a fake camera.
 * Prints one JSON object per figure and writes them all to
 * bench-results/latest.json. Figures, not assertions: nothing here fails on a
 * slow machine. Each part runs on its own: a part that throws prints its
 * diagnosis, its missing figures are written as `failed` with the reason, and
 * the next part runs; the exit status is 1 when any part failed.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'puppeteer-core';
import { DEFAULT_UPLINK_BUDGET, videoSendLimits } from '../../web/src/engine/bitrate-policy.js';
import { launchChromium, ParleyTab } from '../support/browser.js';
import { adminDb, clearFirestore, drainTriggers, eventually, ROOT, userPool } from '../support/emulator.js';
import { heartbeats, settledState, stampede, warmUp } from '../support/load.js';
import { pairingViolations } from '../support/pairing-check.js';
import { measureRelay } from './relay-bench.js';
import { reportStall, resetTabs } from '../support/stall.js';
import { summarize } from './stats.js';
import { logEntries, opsBreakdown, totalOps, type LogEntry } from './function-log.js';
import { measureGhosts } from './ghosts.js';
import { measureQuality } from './quality-bench.js';
import { measureScreening } from './screening-bench.js';
import { measureWriteLatency } from './write-latency.js';
import { startInstance, type InstanceHost } from './instance.js';
import { BENCH_PARTS, parseOnly, type BenchPart } from './parts.js';

const CALLS = Number(process.env['PARLEY_BENCH_CALLS'] ?? 20);
/** Concurrent joiners per pairing round (PARLEY_BENCH_JOINERS, comma-separated). */
const JOINERS = (process.env['PARLEY_BENCH_JOINERS'] ?? '10,50,200').split(',').map(Number);
/** Calls by link to build up to five members, one joiner after the other (PARLEY_BENCH_LINK_CALLS). */
const LINK_CALLS = Number(process.env['PARLEY_BENCH_LINK_CALLS'] ?? 5);
/** A link's video has run this long before its bitrate is measured: the encoder ramps up first. */
const BITRATE_SETTLE_MS = 4_000;
/** The window over which outgoing video is measured. */
const BITRATE_WINDOW_MS = 5_000;
/** How long a connected random call is held for what its minutes cost (PARLEY_BENCH_HOLD_S). */
const HOLD_MS = Number(process.env['PARLEY_BENCH_HOLD_S'] ?? 60) * 1_000;
/** Samples per row of the write-latency study (PARLEY_BENCH_WRITES). */
const WRITES = Number(process.env['PARLEY_BENCH_WRITES'] ?? 20);
/** Browsers killed per ghost figure (each round launches and kills two Chromiums). */
const GHOST_ROUNDS = Number(process.env['PARLEY_BENCH_GHOSTS'] ?? 5);
/** Relay-only and direct calls each, for the relay's match-to-face (PARLEY_BENCH_RELAY_CALLS). */
const RELAY_CALLS = Number(process.env['PARLEY_BENCH_RELAY_CALLS'] ?? 10);
/** Relay crashes (coturn killed and restarted) to recover from (PARLEY_BENCH_RELAY_CUTS). */
const RELAY_CUTS = Number(process.env['PARLEY_BENCH_RELAY_CUTS'] ?? 10);
/**
 * Which parts to run (PARLEY_BENCH_ONLY, comma-separated: bundle, calls,
 * relay, links, writes, ghosts, pairing, quality, screening); all when unset. For iterating on one figure.
 */
const ONLY = parseOnly(process.env['PARLEY_BENCH_ONLY']);
const runs = (part: BenchPart) => !ONLY || ONLY.includes(part);
/**
 * A part that has not finished after this long is failed and its pages
 * closed, so that one hung wait cannot keep the other parts' figures from
 * being written. The longest part seen on this 2-core machine (links, five
 * calls built up to five members under load) took about 10 minutes.
 */
const PART_TIMEOUT_MS = Number(process.env['PARLEY_BENCH_PART_TIMEOUT_S'] ?? 1_800) * 1_000;
const figures: Array<{ figure: string; part?: BenchPart }> = [];
/** The part running now: each figure says which part reported it. */
let currentPart: BenchPart | undefined;

function report(figure: string, data: object): void {
  const line = { figure, ...(currentPart ? { part: currentPart } : {}), ...data };
  console.log(JSON.stringify(line));
  figures.push(line);
}

/** The random-chat tabs a part has open: on its failure, their sessions' diagnosis is printed (reportStall). */
const openTabs = new Set<ParleyTab>();
function tracked(tab: ParleyTab): ParleyTab {
  openTabs.add(tab);
  return tab;
}

type Marks = Record<string, number>;

/** The page's parley:* performance marks, as epoch milliseconds (same clock as Node's). */
function readMarks(tab: ParleyTab): Promise<Marks> {
  return tab.page.evaluate(() =>
    Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('parley:'))
        .map((m) => [m.name.slice('parley:'.length), performance.timeOrigin + m.startTime]),
    ),
  );
}

function clearMarks(tab: ParleyTab): Promise<void> {
  return tab.page.evaluate(() => performance.clearMarks());
}

function waitForMark(tab: ParleyTab, name: string, timeoutMs = 30_000): Promise<unknown> {
  return tab.page.waitForFunction(
    (n) => performance.getEntriesByName(`parley:${n}`).length > 0,
    { timeout: timeoutMs, polling: 10 },
    name,
  );
}

/** 1 and 2: Start-to-face and match-to-face over CALLS calls between two loaded pages. */
async function measureCalls(browser: Browser): Promise<{ matchToFace: number[]; startToFace: number[] }> {
  const db = adminDb();
  await clearFirestore();
  // When each call was committed: the call document's create time (emulator clock = this machine's).
  const committed = new Map<string, number>();
  const unsubscribe = db.collection('calls').onSnapshot((snap) => {
    for (const c of snap.docChanges()) if (c.type === 'added') committed.set(c.doc.id, c.doc.createTime.toMillis());
  });
  const a = tracked(await ParleyTab.open(browser));
  const b = tracked(await ParleyTab.open(browser));
  const startToFace: number[] = [];
  const matchToFace: number[] = [];
  const phases: Record<string, number[]> = {};
  const phase = (name: string, ms: number) => (phases[name] ??= []).push(ms);
  let failures = 0;
  for (let i = 0; i < CALLS; i++) {
    await Promise.all([clearMarks(a), clearMarks(b)]);
    await a.press('start');
    await waitForMark(a, 'joined'); // A is in the queue
    await b.press('start');
    try {
      await Promise.all([waitForMark(a, 'first-remote-frame'), waitForMark(b, 'first-remote-frame')]);
    } catch (err) {
      // The rare "paired, no media within 30 s": say where each side stalled, then go on.
      failures += 1;
      console.error(`# call ${i + 1}: no media on both sides within 30 s (${err instanceof Error ? err.message : err})`);
      await reportStall(db, [a, b]);
      await resetTabs([a, b]);
      continue;
    }
    const [ma, mb] = await Promise.all([readMarks(a), readMarks(b)]);
    const callId = await a.callId();
    const commit = callId ? committed.get(callId) : undefined;
    const secondStart = mb['start']!;
    for (const m of [ma, mb]) {
      startToFace.push(m['first-remote-frame']! - secondStart);
      if (commit !== undefined) matchToFace.push(m['first-remote-frame']! - commit);
    }
    // Where the time goes (B is the callee: its join made the match).
    phase('B start → offer ready', mb['offer-ready']! - mb['start']!);
    phase('B offer ready → join answered', mb['joined']! - mb['offer-ready']!);
    if (commit !== undefined) phase('commit → A sees the call', ma['matched']! - commit);
    phase('B join answered → answer created', mb['answer-created']! - mb['joined']!);
    phase('B answer created → write acknowledged', mb['answer-sent']! - mb['answer-created']!);
    phase('B answer created → A applied it', ma['answer-applied']! - mb['answer-created']!);
    phase('A answer applied → A connected', ma['connected']! - ma['answer-applied']!);
    phase('A connected → A first frame', ma['first-remote-frame']! - ma['connected']!);
    await a.press('stop');
    await b.waitForStatus('partner-left');
    await b.press('stop');
    await Promise.all([a.waitForStatus('idle'), b.waitForStatus('idle')]);
  }
  unsubscribe();
  await Promise.all([a.close(), b.close()]);
  report('start-to-face', {
    unit: 'ms',
    what: 'second Start pressed → first decoded remote video frame, each side (includes getUserMedia)',
    ...summarize(startToFace),
  });
  report('match-to-face', {
    unit: 'ms',
    what: 'pairing committed (call document created) → first decoded remote video frame, each side',
    failures,
    ...summarize(matchToFace),
  });
  for (const [name, samples] of Object.entries(phases)) {
    report('phase', { phase: name, unit: 'ms', ...summarize(samples) });
  }
  return { matchToFace, startToFace };
}

/** 3: the floor — the same exchange in one page, in memory: no Firestore, no functions. */
async function measureFloor(browser: Browser): Promise<number[]> {
  const tab = await ParleyTab.open(browser);
  const samples = await tab.page.evaluate(async (n: number) => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const config: RTCConfiguration = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
      const caller = new RTCPeerConnection(config);
      const callee = new RTCPeerConnection(config);
      for (const pc of [caller, callee]) {
        for (const t of stream.getTracks()) pc.addTrack(t, stream);
        pc.createDataChannel('parley', { negotiated: true, id: 0 });
      }
      caller.onicecandidate = (e) => void (e.candidate && callee.addIceCandidate(e.candidate));
      callee.onicecandidate = (e) => void (e.candidate && caller.addIceCandidate(e.candidate));
      const firstFrame = (pc: RTCPeerConnection) =>
        new Promise<number>((resolve) => {
          pc.ontrack = (e) => {
            if (e.track.kind !== 'video') return;
            const video = document.createElement('video');
            video.muted = true;
            video.style.width = '64px';
            document.body.append(video);
            video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
            void video.play();
            video.requestVideoFrameCallback(() => {
              resolve(performance.now());
              video.remove();
            });
          };
        });
      const frames = Promise.all([firstFrame(caller), firstFrame(callee)]);
      const t0 = performance.now();
      await caller.setLocalDescription(await caller.createOffer());
      await callee.setRemoteDescription(caller.localDescription!);
      await callee.setLocalDescription(await callee.createAnswer());
      await caller.setRemoteDescription(callee.localDescription!);
      const [x, y] = await frames;
      out.push(x - t0, y - t0);
      caller.close();
      callee.close();
    }
    for (const t of stream.getTracks()) t.stop();
    return out;
  }, CALLS);
  await tab.close();
  report('floor', {
    unit: 'ms',
    what: 'in-page exchange, no signaling server: offer created → first decoded remote frame, each side',
    ...summarize(samples),
  });
  return samples;
}

/**
 * Usage figures the functions logged since `offset`, read from the emulator's
 * firebase-debug.log (each function log line is a JSON object; the log repeats
 * it inside metadata, so only the first object of a line counts).
 */
function functionUsageSince(
  offset: number,
  callId: string,
  onlyThisCall = false,
): Array<{ message: string; reads: number; writes: number; deletes: number }> {
  const log = readFileSync(join(ROOT, 'firebase-debug.log'), 'utf8').slice(offset);
  const found: Array<{ message: string; reads: number; writes: number; deletes: number }> = [];
  const pattern = /"usage":\{"reads":(\d+),"writes":(\d+),"deletes":(\d+)\},"severity":"\w+","message":"([^"]+)"\}/;
  for (const line of log.split('\n')) {
    const m = pattern.exec(line);
    // The cleanup trigger also runs for calls the bench cleared away earlier: count only this call's.
    if (m && ((!onlyThisCall && m[4] !== 'call ended') || line.includes(`"callId":"${callId}"`))) {
      found.push({ message: m[4]!, reads: Number(m[1]), writes: Number(m[2]), deletes: Number(m[3]) });
    }
  }
  return found;
}

/** The functions' log lines written since `offset` (logSize), as objects. */
function functionLogSince(offset: number): LogEntry[] {
  return logEntries(readFileSync(join(ROOT, 'firebase-debug.log'), 'utf8').slice(offset));
}

function logSize(): number {
  try {
    return statSync(join(ROOT, 'firebase-debug.log')).size;
  } catch {
    return 0;
  }
}

/**
 * 6: pairing under concurrency. N clients press Start at the same moment
 * (through the Functions emulator, each with its own anonymous user), in
 * Anyone and two language rooms. Pairing latency is, per paired client, from
 * its join request to its pairing: the join's answer for the one who was
 * matched, the call's creation for the one who waited. Pairs per second over
 * the whole round. Lost races: conditional writes the functions retried,
 * from their log. With `instance`, the callables go to one process serving
 * them as a production instance does (instance-host.ts) instead of the
 * Functions emulator, and the figure says so (`via`).
 */
async function measurePairing(joiners: readonly number[], instance?: InstanceHost): Promise<void> {
  const db = adminDb();
  const logSince = (offset: number) => (instance ? instance.logSince(offset) : functionLogSince(offset));
  for (const n of joiners) {
    await clearFirestore();
    await drainTriggers();
    const users = userPool(instance && { host: instance.host, port: instance.port });
    const people = await Promise.all(Array.from({ length: n }, () => users.create()));
    // The Functions emulator runs one process per request in flight and boots
    // them on demand (seconds each on two cores). A cheap warm-up request is
    // answered too fast to need N of them, so an unmeasured rehearsal of the
    // same round boots what this round really needs; then the timed round.
    const plan = { rooms: ['any', 'ta', 'any', 'hi'], leaveEvery: 0 };
    await warmUp(people);
    await stampede(people, plan);
    await clearFirestore();
    await drainTriggers();
    const offset = instance ? instance.logSize() : logSize();
    instance?.peakRssMiB(); // starts the round's window (the rehearsal's peak is not this round's)
    const beatsBefore = heartbeats.count;
    const clients = await stampede(people, plan);
    const peakRssMiB = instance?.peakRssMiB();
    const waiterBeats = heartbeats.count - beatsBefore;
    const { calls, queue } = await settledState(db);
    const sentAt = new Map(clients.map((c) => [c.uid, c.sentAtMs]));
    const latency: number[] = [];
    for (const call of calls) {
      latency.push(call.createdAtMs - sentAt.get(call.members[1])!);
      const callee = clients.find((c) => c.uid === call.members[0])!;
      latency.push(callee.answeredAtMs - callee.sentAtMs);
    }
    const start = Math.min(...clients.map((c) => c.sentAtMs));
    const end = Math.max(...calls.map((c) => c.createdAtMs), ...clients.map((c) => c.answeredAtMs));
    // The emulator writes function logs to firebase-debug.log asynchronously:
    // wait (a little) until every join of the round has its line.
    const readJoinLog = () => logSince(offset).filter((e) => e.message === 'join');
    const joinLog = await eventually(
      async () => (readJoinLog().length >= n ? readJoinLog() : null),
      30_000,
      'join log lines',
    ).catch(() => readJoinLog());
    const races = joinLog.map((e) => Number(e['lostRaces'])).filter(Number.isFinite);
    // Where they happened (matching/matchmaker.ts: the scan's pairing, the look after queueing, the queueing, …).
    // Zero where none was lost, so that every round has the same keys (the compare's medians).
    const racesBy: Record<string, number> = { 'pairing (scan)': 0, 'pairing (look again)': 0, queueing: 0 };
    for (const e of joinLog) {
      for (const [where, k] of Object.entries((e['racesBy'] ?? {}) as Record<string, number>))
        racesBy[where] = (racesBy[where] ?? 0) + k;
    }
    const s = summarize(latency);
    // Where a join's time went, inside the function (its logged steps) and
    // outside it (a client's wait that the function did not spend: the
    // Functions emulator queuing and dispatching the request).
    const stepsOf = (e: LogEntry) => (e['ms'] ?? {}) as Record<string, number>;
    const steps: Record<string, number> = {};
    for (const e of joinLog) for (const [step, ms] of Object.entries(stepsOf(e))) steps[step] = (steps[step] ?? 0) + ms;
    const perJoin = Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, Math.round(ms / (joinLog.length || 1))]));
    const matchedByCall = new Map(
      joinLog.filter((e) => e['status'] === 'matched').map((e) => [e['callId'], stepsOf(e)['total']]),
    );
    const outside = clients
      .filter((c) => c.outcome.status === 'matched')
      .map(
        (c) => c.answeredAtMs - c.sentAtMs - (matchedByCall.get(c.outcome.status === 'matched' ? c.outcome.callId : '') ?? NaN),
      );
    const usage = totalOps(joinLog);
    const perJoinOps = (k: keyof typeof usage) => Math.round((usage[k] / (joinLog.length || 1)) * 10) / 10;
    report('pairing-under-load', {
      joiners: n,
      // Absent: through the Functions emulator (the figure of record, comparable with earlier runs).
      ...(instance ? { via: 'one instance' } : {}),
      pairs: calls.length,
      stillWaiting: queue.length,
      violations: pairingViolations(clients, calls, queue).length,
      pairingLatencyMs: { p50: s.p50, p95: s.p95, max: s.max },
      pairsPerSecond: Math.round((calls.length / ((end - start) / 1000)) * 10) / 10,
      lostRaces: {
        total: races.reduce((a, b) => a + b, 0),
        joinsThatRetried: races.filter((r) => r > 0).length,
        joins: races.length,
        byWhere: racesBy,
      },
      // Waiting clients beat on their entries every 5 s like pages (test/support/load.ts).
      waiterHeartbeats: waiterBeats,
      // Mean ms per join in each step the function timed (matching/matchmaker.ts), `total` the whole function.
      joinStepsMs: perJoin,
      // A matched client's wait minus its join's own time: the emulator's (or the instance's) queuing and dispatch.
      outsideFunctionMs: { p50: summarize(outside).p50, p95: summarize(outside).p95 },
      // The instance's largest resident memory during the round (its functions are deployed with 256 MiB).
      ...(peakRssMiB !== undefined ? { instancePeakRssMiB: peakRssMiB } : {}),
      opsPerJoin: { reads: perJoinOps('reads'), writes: Math.round((perJoinOps('writes') + perJoinOps('deletes')) * 10) / 10 },
    });
    await users.closeAll();
  }
}

/** What a page counted (web/src/backend/firestore-mailbox.ts, countUsage): its listeners' reads and its writes, by name. */
type ClientUsage = { reads: number; writes: number; named: Record<string, { reads: number; writes: number }> };

function clientUsage(t: ParleyTab): Promise<ClientUsage> {
  return t.page.evaluate(
    () => JSON.parse(JSON.stringify((globalThis as { parleyUsage?: unknown }).parleyUsage ?? null)) as ClientUsage,
  );
}

/** What the pages did between two readings of their usage, summed over the pages and by name. */
function usageBetween(before: readonly (ClientUsage | null)[], after: readonly (ClientUsage | null)[]) {
  const named: Record<string, { reads: number; writes: number }> = {};
  after.forEach((now, i) => {
    for (const [what, u] of Object.entries(now?.named ?? {})) {
      const had = before[i]?.named[what] ?? { reads: 0, writes: 0 };
      const sum = (named[what] ??= { reads: 0, writes: 0 });
      sum.reads += u.reads - had.reads;
      sum.writes += u.writes - had.writes;
    }
  });
  const total = Object.values(named).reduce((t, u) => ({ reads: t.reads + u.reads, writes: t.writes + u.writes }), {
    reads: 0,
    writes: 0,
  });
  return { total, named };
}

/** Two fresh pages on an empty database, signed in, their usage counters (parleyUsage) up. */
async function twoCountingPages(browser: Browser): Promise<[ParleyTab, ParleyTab]> {
  await clearFirestore();
  const a = tracked(await ParleyTab.open(browser));
  const b = tracked(await ParleyTab.open(browser));
  // Sign-in happens at load; wait until both backends are up so their usage counters exist.
  await Promise.all([a, b].map((t) => t.page.waitForFunction(() => 'parleyUsage' in globalThis, { timeout: 30_000 })));
  return [a, b];
}

/** How long random-call-minute waits after both pages show the call connected before it counts. */
const CALL_SETTLE_MS = 3_000;

/**
 * Leaves `tabs` alone for PARLEY_BENCH_HOLD_S: what their pages read and
 * wrote meanwhile (usageBetween), how long the hold really took, and a
 * per-minute scale for both.
 */
async function holdCounting(tabs: readonly ParleyTab[]) {
  const before = await Promise.all(tabs.map((t) => clientUsage(t)));
  const heldFrom = Date.now();
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
  const after = await Promise.all(tabs.map((t) => clientUsage(t)));
  const heldMs = Date.now() - heldFrom;
  const perMinute = (n: number) => Math.round(((n * 60_000) / heldMs) * 10) / 10;
  return { ...usageBetween(before, after), heldMs, perMinute };
}

/** `a` waits, `b` joins it: returns once both pages show the call connected. */
async function pairUp(a: ParleyTab, b: ParleyTab): Promise<void> {
  await a.press('start');
  await waitForMark(a, 'joined');
  await b.press('start');
  await Promise.all([a.waitForStatus('connected'), b.waitForStatus('connected')]);
}

/**
 * 4b: what a random call costs while it lasts, apart from its beginning
 * and end (signaling-cost): two pages connected and left alone for
 * PARLEY_BENCH_HOLD_S, everything both write and read meanwhile (their
 * presence heartbeats, any probe), per minute of the call.
 */
async function measureCallMinute(browser: Browser): Promise<void> {
  const [a, b] = await twoCountingPages(browser);
  await pairUp(a, b);
  // The setup's last writes may be read after the link connected (the
  // waiter's acknowledgement, written as it applies the joiner's answer,
  // reaches the joiner once the link is often up): the call's beginning,
  // counted in signaling-cost, not a minute of it.
  await new Promise((resolve) => setTimeout(resolve, CALL_SETTLE_MS));
  const { total, named, heldMs, perMinute } = await holdCounting([a, b]);
  const stillConnected = (await Promise.all([a.status(), b.status()])).every((st) => st === 'connected');
  await a.press('stop');
  await Promise.all([a.close(), b.close()]);
  report('random-call-minute', {
    what: 'Firestore operations of both pages of a connected random call left alone, per minute of the call (presence heartbeats, probes)',
    heldMs,
    stillConnected,
    perMinute: { reads: perMinute(total.reads), writes: perMinute(total.writes) },
    breakdown: Object.fromEntries(
      Object.entries(named)
        .filter(([, u]) => u.reads !== 0 || u.writes !== 0)
        .map(([what, u]) => [what, { reads: perMinute(u.reads), writes: perMinute(u.writes) }]),
    ),
  });
}

/**
 * 4c: what a person waiting alone costs while nobody comes: the page's
 * waiting heartbeats (every 5 s) and its renewals (`join` every 15 s, which
 * reads and writes), per minute of waiting, over PARLEY_BENCH_HOLD_S.
 */
async function measureWaitingMinute(browser: Browser): Promise<void> {
  await clearFirestore();
  const a = tracked(await ParleyTab.open(browser));
  await a.page.waitForFunction(() => 'parleyUsage' in globalThis, { timeout: 30_000 });
  await a.press('start');
  await waitForMark(a, 'joined');
  const offset = logSize();
  const { total: client, named, heldMs, perMinute } = await holdCounting([a]);
  const stillWaiting = (await a.status()) === 'searching';
  await a.press('stop');
  await a.close();
  // The emulator writes function logs asynchronously: the last renewal's line may come a moment later.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const renewals = functionLogSince(offset).filter((e) => e.message === 'join');
  const functions = totalOps(renewals);
  const perMinuteOps = (o: { reads: number; writes: number; deletes?: number }) => ({
    reads: perMinute(o.reads),
    writes: perMinute(o.writes + (o.deletes ?? 0)),
  });
  report('waiting-minute', {
    what: 'Firestore operations of one person waiting alone, per minute of waiting: the page (heartbeats) and its renewals (join)',
    heldMs,
    stillWaiting,
    renewals: renewals.length,
    perMinute: {
      reads: perMinute(client.reads + functions.reads),
      writes: perMinute(client.writes + functions.writes + functions.deletes),
    },
    perRenewal:
      renewals.length === 0
        ? null
        : { reads: functions.reads / renewals.length, writes: (functions.writes + functions.deletes) / renewals.length },
    breakdown: {
      client: Object.fromEntries(Object.entries(named).map(([what, u]) => [what, perMinuteOps(u)])),
      functions: Object.fromEntries(
        Object.entries(opsBreakdown(renewals)['join'] ?? {}).map(([what, ops]) => [what, perMinuteOps(ops)]),
      ),
    },
  });
}

/**
 * 4: Firestore operations for one complete call, clients and functions
 * together, each named: the first call of two fresh pages
 * (`signaling-cost`), then a second call of the same two
 * (`signaling-cost-again`), whose joins carry the pages' skip memory.
 */
async function measureCost(browser: Browser): Promise<void> {
  const [a, b] = await twoCountingPages(browser);
  await countOneCall(a, b, 'signaling-cost', 'one complete random call of two pages just opened');
  await countOneCall(a, b, 'signaling-cost-again', 'the next complete random call of the same two pages');
  await Promise.all([a.close(), b.close()]);
}

/**
 * One call of `a` and `b` counted: A waits, B joins, A presses Stop, B
 * sees the stranger left and presses Stop.
 */
async function countOneCall(a: ParleyTab, b: ParleyTab, figure: string, what: string): Promise<void> {
  const before = await Promise.all([clientUsage(a), clientUsage(b)]);
  const offset = logSize();
  await pairUp(a, b);
  const callId = (await a.callId()) ?? '';
  await a.press('stop');
  await b.waitForStatus('partner-left');
  await b.press('stop');
  await b.waitForStatus('idle');
  const after = await Promise.all([clientUsage(a), clientUsage(b)]);
  // The emulator writes function logs asynchronously: wait (a little) for
  // two joins, A's leave and this call's "call ended". (B's Stop after A's
  // bye sends no leave: nothing of it is left on the server; a page of an
  // earlier release sends one, and the wait below gives its log line time.)
  const read = () => {
    const text = readFileSync(join(ROOT, 'firebase-debug.log'), 'utf8').slice(offset);
    const entries = logEntries(text).filter(
      (e) => e.message === 'join' || e.message === 'leave' || (e.message === 'call ended' && e['callId'] === callId),
    );
    return { text, entries };
  };
  const complete = (entries: readonly LogEntry[]) =>
    entries.filter((e) => e.message === 'join').length >= 2 &&
    entries.some((e) => e.message === 'leave') &&
    entries.some((e) => e.message === 'call ended');
  await eventually(async () => complete(read().entries), 30_000, 'join, leave and call ended log lines').catch(() => undefined);
  // A late leave of B (a page that still sends one) is counted too.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const { text, entries } = read();
  writeFileSync(join(ROOT, 'bench-results', `${figure}-functions-log.txt`), text);
  const { total: client, named: clientNamed } = usageBetween(before, after);
  // The same by page: A waited (the first offer, its acknowledgement), B joined (the answer).
  const byPage = {
    waiter: usageBetween(before.slice(0, 1), after.slice(0, 1)).named,
    joiner: usageBetween(before.slice(1), after.slice(1)).named,
  };
  // Billed reads made by the rules themselves (get()/exists()) that no page
  // counts: none. The one rule that reads (the joiner making its mailbox
  // reads the call) is counted by the page with that write
  // (firestore-mailbox.ts, `rules (...)` in the breakdown); the other
  // mailbox rules judge the mailbox's own from/to, and the call's get reads
  // nothing more. Kept as a figure so a rule that starts reading shows here.
  const rulesReads = 0;
  const functions = totalOps(entries);
  report(figure, {
    what: `Firestore operations for ${what}: 2 joins (call, the waiter's mailbox), mailbox writes (the joiner's first makes its mailbox) and listeners, the leaves, the call-ended cleanup`,
    client,
    rulesReads,
    functions,
    total: {
      reads: client.reads + rulesReads + functions.reads,
      writes: client.writes + functions.writes + functions.deletes,
    },
    // Who reads or writes what: the pages' operations by name (both, then each), and each function's by message and document.
    breakdown: { client: clientNamed, waiter: byPage.waiter, joiner: byPage.joiner, functions: opsBreakdown(entries) },
    functionCalls: entries.map((e) => e.message),
    signalingHopsMatchToMedia: 1,
    hopsNote:
      'after the commit the callee already holds the offer (join response); only its answer must reach the caller, through its mailbox (candidates follow in the same document)',
  });
}

/**
 * 7: calls by link. In each of LINK_CALLS calls, one page creates the call
 * and four more open its link and join one after the other. Per joining
 * position (2nd..5th member): Join pressed → a decoded frame from every
 * other member's tile, on the joiner's page. With 2 and with 5 members: each
 * page's outgoing video (the caps of bitrate-policy.ts beside it). Per call:
 * the Firestore operations of the clients and of the functions.
 */
async function measureLinkCalls(browser: Browser): Promise<void> {
  await clearFirestore();
  const joinToFaces: Record<number, number[]> = { 2: [], 3: [], 4: [], 5: [] };
  const bitrate: Record<
    number,
    Array<{
      totalBps: number;
      linkBps: number[];
      capBps: Array<number | null>;
      frameWidth: Array<number | null>;
      fps: Array<number | null>;
      limitation: Array<string | null>;
    }>
  > = { 2: [], 5: [] };
  const costs: Array<{
    client: { reads: number; mailboxWrites: number; heartbeats: number };
    steadyWritesPerMinute: number;
    functions: Record<string, { calls: number; reads: number; writes: number; deletes: number }>;
  }> = [];
  const measureBitrate = async (tabs: ParleyTab[]) => {
    await new Promise((r) => setTimeout(r, BITRATE_SETTLE_MS));
    for (const out of await Promise.all(tabs.map((t) => t.outboundVideo(BITRATE_WINDOW_MS)))) {
      bitrate[tabs.length]!.push({
        totalBps: out.totalBps,
        linkBps: out.links.map((l) => l.bps),
        capBps: out.links.map((l) => l.capBps),
        frameWidth: out.links.map((l) => l.frameWidth),
        fps: out.links.map((l) => l.fps),
        limitation: out.links.map((l) => l.limitation),
      });
    }
  };
  for (let c = 0; c < LINK_CALLS; c++) {
    const offset = logSize();
    const host = await ParleyTab.open(browser, '/#/call/new');
    await host.waitForStatus('in-call');
    const callId = (await host.callId())!;
    const tabs = [host];
    for (let position = 2; position <= 5; position++) {
      const guest = await ParleyTab.open(browser, `/#/call/${callId}`);
      await guest.waitForStatus('lobby');
      await guest.waitForPreview();
      joinToFaces[position]!.push(await guest.joinUntilFaces(position - 1));
      tabs.push(guest);
      if (position === 2) await measureBitrate(tabs);
    }
    await Promise.all(tabs.map((t) => t.decodesFromAll(4)));
    const steadyFrom = await Promise.all(tabs.map((t) => t.usage()));
    const steadyStart = Date.now();
    await measureBitrate(tabs);
    const steadyTo = await Promise.all(tabs.map((t) => t.usage()));
    const steadyMinutes = (Date.now() - steadyStart) / 60_000;
    const steadyWrites = steadyTo.reduce((sum, u, i) => sum + u.writes - steadyFrom[i]!.writes, 0);
    for (const t of tabs) {
      await t.press('leave');
      await t.waitForStatus('left');
    }
    const usage = await Promise.all(tabs.map((t) => t.usage()));
    await Promise.all(tabs.map((t) => t.close()));
    // The leaves may still be on their way when "You left" shows, and the
    // emulator writes function logs asynchronously: wait (a little) for all
    // five leaveCall lines and the trigger's "call ended".
    const lines = await eventually(
      async () => {
        const found = functionUsageSince(offset, callId, true);
        const leaves = found.filter((u) => u.message === 'leaveCall').length;
        return leaves >= tabs.length && found.some((u) => u.message === 'call ended') ? found : null;
      },
      30_000,
      'leaveCall and call ended log lines',
    ).catch(() => functionUsageSince(offset, callId, true));
    const functions: Record<string, { calls: number; reads: number; writes: number; deletes: number }> = {};
    for (const u of lines) {
      const f = (functions[u.message] ??= { calls: 0, reads: 0, writes: 0, deletes: 0 });
      f.calls += 1;
      f.reads += u.reads;
      f.writes += u.writes;
      f.deletes += u.deletes;
    }
    costs.push({
      client: usage.reduce(
        (s, u) => ({
          reads: s.reads + u.reads,
          // parleyUsage counts every write; heartbeats among them.
          mailboxWrites: s.mailboxWrites + u.writes - u.heartbeats,
          heartbeats: s.heartbeats + u.heartbeats,
        }),
        {
          reads: 0,
          mailboxWrites: 0,
          heartbeats: 0,
        },
      ),
      steadyWritesPerMinute: Math.round(steadyWrites / steadyMinutes),
      functions,
    });
  }
  for (const [position, samples] of Object.entries(joinToFaces)) {
    report('link-join-to-faces', {
      member: Number(position),
      unit: 'ms',
      what: `Join pressed → a decoded frame from each of the ${Number(position) - 1} other members, on the joiner's page`,
      ...summarize(samples),
    });
  }
  for (const [members, pages] of Object.entries(bitrate)) {
    const m = Number(members);
    const cap = videoSendLimits(m - 1, DEFAULT_UPLINK_BUDGET);
    const total = summarize(pages.map((p) => p.totalBps));
    const perLink = summarize(pages.flatMap((p) => p.linkBps));
    report('link-outbound-video', {
      members: m,
      unit: 'bit/s',
      what: `each page's outgoing video, summed over its ${m - 1} link(s) (outbound-rtp bytesSent over ${BITRATE_WINDOW_MS / 1000} s)`,
      pageTotal: { p50: total.p50, p95: total.p95, max: total.max, n: total.n },
      perLink: { p50: perLink.p50, p95: perLink.p95, max: perLink.max, n: perLink.n },
      cap: {
        perLinkBps: cap.maxBitrate,
        pageTotalBps: cap.maxBitrate * (m - 1),
        maxFramerate: cap.maxFramerate,
        scaleResolutionDownBy: cap.scaleResolutionDownBy,
      },
      capsOnSenders: [...new Set(pages.flatMap((p) => p.capBps))],
      frameWidths: [...new Set(pages.flatMap((p) => p.frameWidth))],
      fps: summarize(pages.flatMap((p) => p.fps).filter((x): x is number => x !== null)).p50,
      qualityLimitation: Object.fromEntries(
        [...new Set(pages.flatMap((p) => p.limitation))].map((r) => [
          String(r),
          pages.flatMap((p) => p.limitation).filter((x) => x === r).length,
        ]),
      ),
    });
  }
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / (xs.length || 1)) * 10) / 10;
  const fnNames = [...new Set(costs.flatMap((c) => Object.keys(c.functions)))];
  const fnMean = Object.fromEntries(
    fnNames.map((name) => [
      name,
      {
        calls: mean(costs.map((c) => c.functions[name]?.calls ?? 0)),
        reads: mean(costs.map((c) => c.functions[name]?.reads ?? 0)),
        writes: mean(costs.map((c) => c.functions[name]?.writes ?? 0)),
        deletes: mean(costs.map((c) => c.functions[name]?.deletes ?? 0)),
      },
    ]),
  );
  const fnTotal = (k: 'reads' | 'writes' | 'deletes') =>
    Math.round(Object.values(fnMean).reduce((s, f) => s + f[k], 0) * 10) / 10;
  const client = {
    reads: mean(costs.map((c) => c.client.reads)),
    mailboxWrites: mean(costs.map((c) => c.client.mailboxWrites)),
    heartbeats: mean(costs.map((c) => c.client.heartbeats)),
  };
  report('link-call-cost', {
    what: 'Firestore operations of one call by link built up to 5 members and left by all (mean over calls): create, 4 × peek + enter, mesh signaling, heartbeats, 5 leaves',
    calls: costs.length,
    client,
    steadyClientWritesPerMinute5Members: mean(costs.map((c) => c.steadyWritesPerMinute)),
    functions: fnMean,
    total: {
      reads: Math.round((client.reads + fnTotal('reads')) * 10) / 10,
      writes: Math.round((client.mailboxWrites + client.heartbeats + fnTotal('writes') + fnTotal('deletes')) * 10) / 10,
    },
    note: 'heartbeats depend on how long the call lasts (one per member every 10 s); the rules of link-call client writes read no other document',
  });
}

/** 5: JavaScript the page loads, minified and gzipped. */
function measureBundle(): void {
  const web = join(ROOT, 'web');
  const stats = JSON.parse(readFileSync(join(web, 'build', 'bundle-stats.json'), 'utf8')) as Array<{
    file: string;
    isEntry: boolean;
    /** Loaded only when a person asks for it (a route, a call): web/rollup.config.mjs, ON_DEMAND. */
    onDemand?: boolean;
    /** The language whose words the chunk holds, or null. */
    locale?: string | null;
    imports: string[];
    dynamicImports: string[];
    modules: Array<{ id: string; bytes: number }>;
  }>;
  const gz = (file: string) => gzipSync(readFileSync(join(web, 'dist', 'assets', file)), { level: 9 }).length;
  const byFile = new Map(stats.map((c) => [c.file, c]));
  const closure = (roots: string[]) => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const i of byFile.get(f)?.imports ?? []) visit(i);
    };
    roots.forEach(visit);
    return seen;
  };
  const entry = stats.find((c) => c.isEntry)!;
  const firstPaint = closure([entry.file]);
  // What loads by itself after first paint (the backend); the check, the
  // guide and the in-call chunks load only when asked for.
  const beforeStart = closure([entry.file, ...entry.dynamicImports.filter((f) => !byFile.get(f)?.onDemand)]);
  const onDemand = [...closure(entry.dynamicImports)].filter((f) => !beforeStart.has(f));
  const sum = (files: Set<string> | string[]) => [...files].reduce((s, f) => s + gz(f), 0);
  const allFiles = readdirSync(join(web, 'dist', 'assets')).filter((f) => f.endsWith('.js'));
  // Fonts are woff2 (compressed already): their own bytes are what travels.
  const fontsDir = join(web, 'dist', 'assets', 'fonts');
  const fonts = Object.fromEntries(readdirSync(fontsDir).map((f) => [f, statSync(join(fontsDir, f)).size]));
  report('web-bundle', {
    unit: 'bytes (gzip -9 of minified JavaScript)',
    beforeFirstPaint: sum(firstPaint),
    beforeStartWorks: sum(beforeStart),
    onDemand: Object.fromEntries(onDemand.map((f) => [f, gz(f)])),
    // Each language's words, loaded only when that language is shown (on demand, above too).
    locales: Object.fromEntries(stats.filter((c) => c.locale).map((c) => [c.locale, gz(c.file)])),
    fonts: { css: gzipSync(readFileSync(join(web, 'dist', 'assets', 'fonts.css')), { level: 9 }).length, files: fonts },
    total: sum(allFiles),
    chunks: Object.fromEntries(allFiles.map((f) => [f, gz(f)])),
    // Rendered size: after tree-shaking, before minification and gzip.
    largestModules: stats
      .flatMap((c) => c.modules)
      .sort((x, y) => y.bytes - x.bytes)
      .slice(0, 10)
      .map((m) => ({ module: m.id, renderedBytes: m.bytes })),
  });
}

/** The bench's Chromium, launched on first use and again after a part left it crashed or disconnected. */
let chromium: Browser | null = null;
async function browser(): Promise<Browser> {
  if (!chromium?.connected) chromium = await launchChromium();
  return chromium;
}

/** Resolves or rejects with `work`, or rejects after `ms` (and then ignores what `work` does later). */
function withDeadline(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Resolves with `work`'s value, or with `fallback` after `ms`: a diagnosis must not hang on a hung page. */
function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([work.catch(() => fallback), new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);
}

/**
 * What a failed part left behind, on stderr: the sessions of its random-chat
 * tabs and the database (reportStall), then every other page still open (a
 * call by link, the relay's and the write study's pages) with its status
 * and marks. Then its pages are closed, so the next part starts clean.
 */
async function diagnoseAndClose(): Promise<void> {
  const live = [...openTabs].filter((t) => !t.page.isClosed());
  await within(
    reportStall(adminDb(), live).then(() => true),
    30_000,
    false,
  ).then((done) => done || console.error('#   (the database did not answer within 30 s)'));
  const shown = new Set(live.map((t) => t.page));
  if (chromium?.connected) {
    for (const context of chromium.browserContexts()) {
      for (const page of await within(context.pages(), 5_000, [])) {
        if (shown.has(page) || page.url() === 'about:blank') continue;
        const state = await within<object>(
          page.evaluate(() => {
            const app = document.querySelector('parley-app')?.shadowRoot;
            const call = app?.querySelector('parley-call')?.shadowRoot;
            return {
              status: app?.querySelector('#status')?.getAttribute('data-status') ?? null,
              callStatus: call?.querySelector('#status')?.getAttribute('data-status') ?? null,
              tiles: [...(call?.querySelectorAll('.tile.peer') ?? [])].map((t) => t.getAttribute('data-state')),
              marks: performance
                .getEntriesByType('mark')
                .filter((m) => m.name.startsWith('parley:'))
                .map((m) => `${m.name.slice('parley:'.length)}@${Math.round(performance.timeOrigin + m.startTime)}`),
            };
          }),
          5_000,
          { unresponsive: true },
        );
        console.error(`#   page ${page.url()}:`, JSON.stringify(state));
      }
      if (context !== chromium.defaultBrowserContext()) await within(context.close(), 10_000, undefined);
    }
  }
  openTabs.clear();
}

const failedParts: Array<{ part: string; reason: string }> = [];

/**
 * Runs one part on its own. On failure: the diagnosis, a `failed` figure
 * (with the reason) for each of `expected` that the part had not reported,
 * and the run goes on with the next part.
 */
async function runPart(
  part: BenchPart,
  work: () => Promise<void>,
  {
    label = part,
    expected = BENCH_PARTS[part].map((figure) => ({ figure })),
  }: { label?: string; expected?: ReadonlyArray<{ figure: string; joiners?: number; via?: string }> } = {},
): Promise<void> {
  const from = figures.length;
  const startedAt = Date.now();
  currentPart = part;
  try {
    await withDeadline(work(), PART_TIMEOUT_MS, `part ${label}`);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    console.error(`# part ${label} failed after ${Math.round((Date.now() - startedAt) / 1000)} s: ${reason}`);
    console.error(err);
    await diagnoseAndClose();
    const reported = new Set(figures.slice(from).map((f) => f.figure));
    for (const { figure, ...which } of expected) if (!reported.has(figure)) report(figure, { ...which, failed: reason });
    failedParts.push({ part: label, reason });
  } finally {
    currentPart = undefined;
  }
}

function writeResults(): void {
  const dir = join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const result = JSON.stringify(
    {
      at: new Date().toISOString(),
      calls: CALLS,
      relayCalls: RELAY_CALLS,
      relayCuts: RELAY_CUTS,
      linkCalls: LINK_CALLS,
      writes: WRITES,
      only: ONLY ?? 'all',
      failedParts,
      figures,
    },
    null,
    2,
  );
  writeFileSync(join(dir, 'latest.json'), result);
  console.log(`wrote ${join('bench-results', 'latest.json')}`);
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  if (runs('bundle')) await runPart('bundle', async () => measureBundle());
  if (runs('calls')) {
    await runPart('calls', async () => {
      const floor = await measureFloor(await browser());
      const { matchToFace, startToFace } = await measureCalls(await browser());
      const f50 = summarize(floor).p50;
      report('ratios-to-floor', {
        matchToFaceP50: Math.round((summarize(matchToFace).p50 / f50) * 100) / 100,
        startToFaceP50: Math.round((summarize(startToFace).p50 / f50) * 100) / 100,
        targets: { matchToFaceP50: '≤ 1.5× floor', startToFaceP50Ms: '< 500 ms' },
      });
      await measureCost(await browser());
      await measureCallMinute(await browser());
      await measureWaitingMinute(await browser());
    });
  }
  if (runs('relay')) {
    await runPart('relay', async () =>
      measureRelay(await browser(), report, { calls: RELAY_CALLS, cuts: RELAY_CUTS, mints: 30 }),
    );
  }
  if (runs('links')) await runPart('links', async () => measureLinkCalls(await browser()));
  if (runs('writes')) await runPart('writes', async () => measureWriteLatency(await browser(), report, WRITES));
  if (runs('ghosts')) await runPart('ghosts', async () => measureGhosts(await browser(), report, GHOST_ROUNDS));
  if (runs('quality')) await runPart('quality', async () => measureQuality(await browser(), report));
  // web-test-runner's own Chromium, on the real modules: nothing of the suite's.
  if (runs('screening')) await runPart('screening', async () => measureScreening(ROOT, report));
  // The pairing rounds drive the functions from Node: the browser's processes would only take CPU from them.
  await chromium?.close().catch(() => undefined);
  chromium = null;
  if (runs('pairing')) {
    // One round per N, each on its own: a round that fails loses only its own figure.
    for (const n of JOINERS) {
      await runPart('pairing', () => measurePairing([n]), {
        label: `pairing (${n} joiners)`,
        expected: [{ figure: 'pairing-under-load', joiners: n }],
      });
    }
    // The same rounds with the callables served as one production instance
    // serves them, to tell our code's time from the Functions emulator's
    // dispatch (instance-host.ts). PARLEY_BENCH_INSTANCE=0 leaves them out.
    if (process.env['PARLEY_BENCH_INSTANCE'] !== '0') {
      for (const n of JOINERS) {
        await runPart(
          'pairing',
          async () => {
            const instance = await startInstance();
            try {
              await measurePairing([n], instance);
            } finally {
              await instance.stop();
            }
          },
          {
            label: `pairing (${n} joiners, one instance)`,
            expected: [{ figure: 'pairing-under-load', joiners: n, via: 'one instance' }],
          },
        );
      }
    }
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    failedParts.push({ part: 'bench', reason: err instanceof Error ? err.message : String(err) });
  })
  .finally(async () => {
    await chromium?.close().catch(() => undefined);
    writeResults();
    if (failedParts.length > 0) {
      console.error(
        `# ${failedParts.length} part(s) failed; the figures of the others are above and in bench-results/latest.json:`,
      );
      for (const f of failedParts) console.error(`#   ${f.part}: ${f.reason}`);
      process.exitCode = 1;
    }
    // Listeners and the emulator connections of the Admin SDK would keep Node running.
    process.exit();
  });
