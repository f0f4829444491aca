/**
 * The page's callable client (web/src/backend/callable.ts) beside the
 * Functions SDK it replaced, both against the same local HTTP server: the
 * same request on the wire, and the same data or the same error (code,
 * message, details) for each answer a server can give, the Functions
 * emulator's and Cloud Functions' own included. The end-to-end layer calls
 * the real functions with it.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from 'firebase/functions';
import { callables, callableUrl, type Callables } from '../../../../web/src/backend/callable.js';

const PROJECT = 'demo-callable';
const REGION = 'us-central1';

/** What the server answers for a callable's name. */
type Answer = { status: number; body?: string; contentType?: string } | 'hang';

const json = (status: number, body: unknown): Answer => ({ status, body: JSON.stringify(body) });

const ANSWERS: Readonly<Record<string, Answer>> = {
  result: json(200, { result: { status: 'paired', n: 1.5, list: [null, 'x', { deep: true }] } }),
  legacyData: json(200, { data: 7 }),
  nullResult: json(200, { result: null }),
  noData: json(200, {}),
  notJson: { status: 200, body: 'ok', contentType: 'text/plain' },
  rateLimited: json(429, {
    error: { status: 'RESOURCE_EXHAUSTED', message: 'Too many requests', details: { code: 'rate-limited', retryAfterMs: 1200 } },
  }),
  contended: json(409, { error: { status: 'ABORTED', message: 'Try again', details: { code: 'contended' } } }),
  internal: json(500, { error: { status: 'INTERNAL', message: 'INTERNAL' } }),
  statusOnly: json(400, { error: { status: 'INVALID_ARGUMENT' } }),
  unknownStatus: json(400, { error: { status: 'NOT_A_CODE', message: 'x' } }),
  okInError: json(200, { error: { status: 'OK' }, result: 'fine' }),
  emptyUnavailable: { status: 503 },
  htmlNotFound: { status: 404, body: '<html>Not Found</html>', contentType: 'text/html' },
  teapot: { status: 418 },
  hang: 'hang',
  // A status with no body: what a proxy or a crashed server answers.
  ...Object.fromEntries([401, 403, 409, 429, 499, 500, 501, 504, 302].map((status) => [`bare${status}`, { status }])),
};

interface Seen {
  readonly method: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
}

let server: Server;
let port: number;
const seen: Seen[] = [];
const hanging: ServerResponse[] = [];
let app: FirebaseApp;
let functions: Functions;
let ours: Callables;

function serve(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers = { 'Access-Control-Allow-Origin': '*' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...headers, 'Access-Control-Allow-Headers': '*' }).end();
      return;
    }
    seen.push({
      method: req.method,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const name = (req.url ?? '').split('/').pop() ?? '';
    const answer = ANSWERS[name];
    if (answer === 'hang') {
      hanging.push(res);
      return;
    }
    if (!answer) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(answer.status, { ...headers, 'Content-Type': answer.contentType ?? 'application/json' });
    res.end(answer.body);
  });
}

/** What a call gave: its data, or its error's code, message and details. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { data: await call() };
  } catch (err) {
    const { code, message, details } = err as { code: unknown; message: unknown; details: unknown };
    return { code, message, details };
  }
}

const sdk = (name: string, data: unknown, timeout?: number) =>
  outcome(async () => (await httpsCallable(functions, name, timeout ? { timeout } : {})(data)).data);
const ourCall = (name: string, data: unknown, client = ours) => outcome(() => client(name, data));

/** Our client for the server on `at`, with this token and timeout. */
const ourClient = (at: number, token: string | null = null, timeoutMs?: number): Callables =>
  callables(
    (name) => callableUrl(name, { projectId: PROJECT, region: REGION, emulator: `http://127.0.0.1:${at}` }),
    () => Promise.resolve(token),
    timeoutMs,
  );

before(async () => {
  server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  app = initializeApp({ projectId: PROJECT, apiKey: 'demo-api-key' }, 'callable-test');
  functions = getFunctions(app, REGION);
  connectFunctionsEmulator(functions, '127.0.0.1', port);
  ours = ourClient(port);
});

after(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await deleteApp(app);
});

describe('callables, beside the Functions SDK', () => {
  for (const name of Object.keys(ANSWERS).filter((n) => n !== 'hang')) {
    it(`gives what the SDK gives for the answer "${name}"`, async () => {
      const theirs = await sdk(name, { room: 'any' });
      assert.deepEqual(await ourCall(name, { room: 'any' }), theirs);
    });
  }

  it('gives the data of a success and the refusal of an error (what the page reads)', async () => {
    assert.deepEqual(await ourCall('result', {}), { data: { status: 'paired', n: 1.5, list: [null, 'x', { deep: true }] } });
    assert.deepEqual(await ourCall('rateLimited', {}), {
      code: 'functions/resource-exhausted',
      message: 'Too many requests [429]',
      details: { code: 'rate-limited', retryAfterMs: 1200 },
    });
  });

  it('sends the same request as the SDK, undefined values as null', async () => {
    const data = { room: 'ta', gone: undefined, list: [undefined, 1], nested: { x: undefined } };
    seen.length = 0;
    await sdk('result', data);
    await ourCall('result', data);
    await sdk('result', undefined);
    await ourCall('result', undefined);
    assert.equal(seen.length, 4);
    const [theirs, mine, theirsNone, mineNone] = seen;
    assert.deepEqual(mine, theirs);
    assert.equal(mine?.body, '{"data":{"room":"ta","gone":null,"list":[null,1],"nested":{"x":null}}}');
    assert.deepEqual(mineNone, theirsNone);
    assert.equal(mineNone?.body, '{"data":null}');
    assert.equal(mine?.method, 'POST');
    assert.equal(mine?.authorization, undefined);
  });

  it("carries the user's ID token as a bearer token", async () => {
    const signedIn = ourClient(port, 'token-1');
    seen.length = 0;
    await ourCall('result', {}, signedIn);
    assert.equal(seen[0]?.authorization, 'Bearer token-1');
  });

  it('fails as the SDK does when nothing answers: internal when refused, deadline-exceeded when the time is up', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refusedApp = initializeApp({ projectId: PROJECT, apiKey: 'demo-api-key' }, 'callable-refused');
    try {
      const refusedFunctions = getFunctions(refusedApp, REGION);
      connectFunctionsEmulator(refusedFunctions, '127.0.0.1', closedPort);
      const refusedOurs = ourClient(closedPort);
      const theirs = await outcome(async () => (await httpsCallable(refusedFunctions, 'result')({})).data);
      assert.deepEqual(await ourCall('result', {}, refusedOurs), theirs);
      assert.equal((theirs as { code: string }).code, 'functions/internal');
    } finally {
      await deleteApp(refusedApp);
    }

    const impatient = ourClient(port, null, 300);
    const theirs = await sdk('hang', {}, 300);
    assert.deepEqual(await ourCall('hang', {}, impatient), theirs);
    assert.equal((theirs as { code: string }).code, 'functions/deadline-exceeded');
  });

  it("names the project's Cloud Functions host outside the emulator", () => {
    assert.equal(
      callableUrl('join', { projectId: 'parley-prod', region: 'us-central1' }),
      'https://us-central1-parley-prod.cloudfunctions.net/join',
    );
    assert.equal(
      callableUrl('join', { projectId: 'demo-parley', region: 'us-central1', emulator: 'http://127.0.0.1:5001' }),
      'http://127.0.0.1:5001/demo-parley/us-central1/join',
    );
  });
});
