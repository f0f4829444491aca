/**
 * Where a client write's time goes (docs/PERFORMANCE.md, "Write latency"):
 * how long Firestore (the emulator) takes to acknowledge one client write,
 * and how long until another client's listener sees it, by
 * - the writer's state: the first write of a fresh Firestore instance (its
 *   write stream still closed), after a warm-up write, after enableNetwork,
 *   and the write after that;
 * - what is written: a mailbox (its rule reads nothing else). The study
 *   once compared the answer on the call document and candidate documents
 *   too; the rules refuse both since signaling moved to mailboxes, so only
 *   the mailbox is measured now (earlier figures: docs/PERFORMANCE.md);
 * - the client: firebase/firestore in Node (gRPC) or in Chromium (WebChannel),
 *   and in Chromium its transports (default, long-polling, streaming);
 * - and the Admin SDK's write as the baseline.
 * Writer and listener are separate clients (in Chromium, separate pages).
 */
import { build } from 'esbuild';
import type { Firestore } from 'firebase-admin/firestore';
import { FieldValue, Timestamp } from 'firebase-admin/firestore';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { adminDb, EMULATORS, PROJECT_ID, ROOT } from '../support/emulator.js';
import { summarize } from './stats.js';
import { LatencyClient, type ClientOptions, type Target, type Transport, type WriteKind } from './write-latency-client.js';

type Report = (figure: string, data: object) => void;

/** One client, in Node or in a page. */
interface Side {
  readonly uid: string;
  write(target: Target, seq: number): Promise<{ sentAt: number; ackAt: number }>;
  warmUp(): Promise<void>;
  enableNetwork(): Promise<void>;
  listen(target: Target, writer: string): Promise<void>;
  watchCall(target: Target): Promise<void>;
  seenAt(target: Target, seq: number): Promise<number>;
  stopListening(): Promise<void>;
  close(): Promise<void>;
}

type Env = 'node' | 'chromium';

let clientCount = 0;

function clientOptions(transport: Transport): ClientOptions {
  return {
    name: `latency-${++clientCount}`,
    projectId: PROJECT_ID,
    host: EMULATORS.firestore.host,
    authPort: EMULATORS.auth.port,
    firestorePort: EMULATORS.firestore.port,
    transport,
  };
}

async function nodeSide(transport: Transport): Promise<Side> {
  const c = await LatencyClient.create(clientOptions(transport));
  return {
    uid: c.uid,
    write: (t, seq) => c.write(t, seq),
    warmUp: () => c.warmUp(),
    enableNetwork: () => c.enableNetwork(),
    listen: (t, w) => c.listen(t, w),
    watchCall: async (t) => c.watchCall(t),
    seenAt: (t, seq) => c.seenAt(t, seq),
    stopListening: async () => c.stopListening(),
    close: () => c.close(),
  };
}

interface PageGlobal {
  parleyLatency: { LatencyClient: typeof LatencyClient; clients: Map<string, LatencyClient> };
}

async function pageSide(page: Page, transport: Transport): Promise<Side> {
  const options = clientOptions(transport);
  const name = options.name;
  const uid = await page.evaluate(async (o) => {
    const g = (globalThis as unknown as PageGlobal).parleyLatency;
    const c = await g.LatencyClient.create(o);
    g.clients.set(o.name, c);
    return c.uid;
  }, options);
  // Calls one method of the page's client by name (the arguments are plain data).
  type Method = 'write' | 'warmUp' | 'enableNetwork' | 'listen' | 'watchCall' | 'seenAt' | 'stopListening' | 'close';
  const run = <R>(method: Method, ...args: unknown[]): Promise<R> =>
    page.evaluate(
      async (n: string, m: Method, a: unknown[]) => {
        const c = (globalThis as unknown as PageGlobal).parleyLatency.clients.get(n)! as unknown as Record<
          Method,
          (...x: unknown[]) => unknown
        >;
        return (await c[m](...a)) as never;
      },
      name,
      method,
      args,
    ) as Promise<R>;
  return {
    uid,
    write: (t, seq) => run('write', t, seq),
    warmUp: () => run('warmUp'),
    enableNetwork: () => run('enableNetwork'),
    listen: (t, w) => run('listen', t, w),
    watchCall: (t) => run('watchCall', t),
    seenAt: (t, seq) => run('seenAt', t, seq),
    stopListening: () => run('stopListening'),
    close: () => run('close'),
  };
}

/** Serves a page that loads the browser build of the study's client (bundled now with esbuild). */
async function servePage(): Promise<{ url: string; server: Server }> {
  const bundle = await build({
    entryPoints: [join(ROOT, 'test', 'bench', 'write-latency-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.contents;
  const server = createServer((req, res) => {
    if (req.url === '/latency.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(js);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><script type="module" src="/latency.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

async function openLatencyPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('[latency page error]', err));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => 'parleyLatency' in globalThis);
  return page;
}

let seeded = 0;

/** Creates (Admin SDK) what `kind` writes to, between writer and listener, as the functions would. */
async function seed(db: Firestore, kind: WriteKind, writer: string, listener: string): Promise<Target> {
  const callId = `latency${String(++seeded).padStart(6, '0')}`;
  const call = db.collection('calls').doc(callId);
  const expireAt = Timestamp.fromMillis(Date.now() + 60 * 60 * 1000);
  if (kind === 'mailbox') {
    await call.set({ kind: 'link', members: [listener, writer], createdAt: FieldValue.serverTimestamp(), expireAt });
    await call.collection('signals').doc(`${writer}_${listener}`).set({
      from: writer,
      to: listener,
      epoch: 0,
      description: null,
      candidates: '',
      n: 0,
      updatedAt: FieldValue.serverTimestamp(),
    });
  } else {
    await call.set({
      participants: [listener, writer],
      caller: listener,
      callee: writer,
      offer: { type: 'offer', sdp: 'v=0' },
      answer: null,
      createdAt: FieldValue.serverTimestamp(),
      expireAt,
    });
  }
  return { kind, callId, to: listener };
}

interface Sample {
  ack: number;
  seen: number;
}

/** Writes `seq` to `target` and waits for the listener; the listener must already listen. */
async function sample(
  writer: Side,
  listener: Side,
  target: Target,
  seq: number,
  whileWriting?: () => Promise<void>,
): Promise<Sample> {
  const written = writer.write(target, seq);
  await whileWriting?.();
  const { sentAt, ackAt } = await written;
  const seenAt = await listener.seenAt(target, seq);
  return { ack: ackAt - sentAt, seen: seenAt - sentAt };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reportSamples(report: Report, row: Record<string, string>, samples: Sample[]): void {
  const ack = summarize(samples.map((s) => s.ack));
  const seen = summarize(samples.map((s) => s.seen));
  report('write-latency', {
    ...row,
    unit: 'ms',
    n: ack.n,
    ack: { p50: ack.p50, p95: ack.p95, max: ack.max },
    seen: { p50: seen.p50, p95: seen.p95, max: seen.max },
  });
}

/**
 * Runs the study: `n` samples per row. Every row is printed as one
 * `write-latency` figure: ack = write sent → acknowledged (the promise),
 * seen = write sent → another client's listener has it.
 */
export async function measureWriteLatency(browser: Browser, report: Report, n: number): Promise<void> {
  const db = adminDb();
  const { url, server } = await servePage();
  const writerPage = await openLatencyPage(browser, url);
  const listenerPage = await openLatencyPage(browser, url);
  const side = (env: Env, transport: Transport, role: 'writer' | 'listener') =>
    env === 'node' ? nodeSide(transport) : pageSide(role === 'writer' ? writerPage : listenerPage, transport);
  try {
    // (a) The first write of a fresh Firestore instance, and the one after it,
    // by what the instance did first. A mailbox each (its rule reads nothing).
    for (const env of ['node', 'chromium'] as const) {
      const listener = await side(env, 'default', 'listener');
      for (const prep of ['nothing', 'enableNetwork', 'warm-up write'] as const) {
        const first: Sample[] = [];
        const second: Sample[] = [];
        for (let i = 0; i < n; i++) {
          const writer = await side(env, 'default', 'writer');
          const target = await seed(db, 'mailbox', writer.uid, listener.uid);
          await listener.listen(target, writer.uid);
          if (prep === 'enableNetwork') await writer.enableNetwork();
          if (prep === 'warm-up write') await writer.warmUp();
          await pause(50);
          first.push(await sample(writer, listener, target, 1));
          await pause(50);
          second.push(await sample(writer, listener, target, 2));
          await writer.close();
          await listener.stopListening();
        }
        reportSamples(
          report,
          { study: 'fresh instance', client: env, transport: 'default', kind: 'mailbox', before: prep, write: 'first' },
          first,
        );
        reportSamples(
          report,
          { study: 'fresh instance', client: env, transport: 'default', kind: 'mailbox', before: prep, write: 'second' },
          second,
        );
      }
      await listener.close();
    }

    // (b, c, d) Warm writers: by what is written, client, and transport.
    const rows: Array<{ env: Env; transport: Transport; kinds: WriteKind[] }> = [
      { env: 'node', transport: 'default', kinds: ['mailbox'] },
      { env: 'chromium', transport: 'default', kinds: ['mailbox'] },
      { env: 'chromium', transport: 'long-polling', kinds: ['mailbox'] },
      { env: 'chromium', transport: 'streaming', kinds: ['mailbox'] },
    ];
    for (const { env, transport, kinds } of rows) {
      const writer = await side(env, transport, 'writer');
      const listener = await side(env, transport, 'listener');
      await writer.warmUp();
      for (const kind of kinds) {
        const samples: Sample[] = [];
        let shared: Target | null = null;
        // One unmeasured write first: the emulator compiles and caches what a rule path needs.
        for (let i = -1; i < n; i++) {
          // The answer is written once per call: a call each. The others reuse one document or collection.
          let target: Target;
          if (kind === 'answer' || shared === null) {
            target = await seed(db, kind, writer.uid, listener.uid);
            await listener.listen(target, writer.uid);
            if (kind !== 'answer') shared = target;
          } else {
            target = shared;
          }
          await pause(50);
          const s = await sample(writer, listener, target, i + 2);
          if (i >= 0) samples.push(s);
        }
        await listener.stopListening();
        reportSamples(report, { study: 'warm writer', client: env, transport, kind, write: 'warm' }, samples);
      }
      await writer.close();
      await listener.close();
    }

    // The callee's situation: it starts listening to the call document just
    // before (or just after) it writes its answer into its mailbox.
    for (const env of ['node', 'chromium'] as const) {
      const writer = await side(env, 'default', 'writer');
      const listener = await side(env, 'default', 'listener');
      await writer.warmUp();
      for (const order of ['writer listens first', 'writer listens after'] as const) {
        const samples: Sample[] = [];
        for (let i = -1; i < n; i++) {
          const target = await seed(db, 'mailbox', writer.uid, listener.uid);
          await listener.listen(target, writer.uid);
          await pause(50);
          if (order === 'writer listens first') await writer.watchCall(target);
          const s = await sample(
            writer,
            listener,
            target,
            i + 2,
            order === 'writer listens after' ? () => writer.watchCall(target) : undefined,
          );
          if (i >= 0) samples.push(s);
        }
        await writer.stopListening();
        await listener.stopListening();
        reportSamples(
          report,
          { study: 'listen and write', client: env, transport: 'default', kind: 'mailbox', order, write: 'warm' },
          samples,
        );
      }
      await writer.close();
      await listener.close();
    }

    // Baseline: the Admin SDK (gRPC, no rules) writes the mailbox; a client listens.
    for (const env of ['node', 'chromium'] as const) {
      const listener = await side(env, 'default', 'listener');
      const target = await seed(db, 'mailbox', 'admin-writer', listener.uid);
      await listener.listen(target, 'admin-writer');
      const ref = db.collection('calls').doc(target.callId).collection('signals').doc(`admin-writer_${listener.uid}`);
      const samples: Sample[] = [];
      for (let i = -1; i < n; i++) {
        await pause(50);
        const sentAt = performance.timeOrigin + performance.now();
        await ref.update({ candidates: `seq ${i + 2}`, n: FieldValue.increment(1), updatedAt: FieldValue.serverTimestamp() });
        const ackAt = performance.timeOrigin + performance.now();
        const seenAt = await listener.seenAt(target, i + 2);
        if (i >= 0) samples.push({ ack: ackAt - sentAt, seen: seenAt - sentAt });
      }
      await listener.close();
      reportSamples(
        report,
        { study: 'admin baseline', client: `admin → ${env} listener`, transport: 'gRPC', kind: 'mailbox', write: 'warm' },
        samples,
      );
    }
  } finally {
    for (const p of [writerPage, listenerPage]) await p.browserContext().close();
    server.close();
  }
}
