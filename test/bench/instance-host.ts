/**
 * The callables served as one Cloud Functions (2nd gen) instance serves
 * them, for the benchmark's pairing part: `PARLEY_BENCH_INSTANCE`.
 *
 * Why: in production each function runs on Cloud Run, one Node process per
 * instance taking up to `concurrency` (80, functions/src/config.ts) requests
 * at once through the Functions Framework, an express app. The Functions
 * emulator instead dispatches every request in flight to a worker process of
 * its own and boots workers on demand: on this two-core machine, when 200
 * people press Start at once, that dispatch took most of a matched client's
 * wait (docs/PERFORMANCE.md, "Where the CPU goes"). This host loads
 * functions/lib/index.js once and serves its callables, with no cap on
 * requests in flight: one instance taking the whole burst, stricter than
 * production, which would start ⌈n / 80⌉ of them. Firestore and Auth are
 * still the emulators; the Firestore triggers still run in the Functions
 * emulator.
 *
 * Run from the repository root with the emulators' environment
 * (FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST, GCLOUD_PROJECT):
 * `node build/test/bench/instance-host.js <port>`. Requests go to the
 * emulator's URL pattern, `/{project}/{region}/{name}`, so a client needs
 * only `connectFunctionsEmulator(functions, host, port)`. The functions'
 * structured log lines go to stdout, one JSON object per line (as Cloud
 * Logging reads them); `ready <port>` goes to stderr once it listens.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';

type Handler = (req: express.Request, res: express.Response) => unknown;

const port = Number(process.argv[2] ?? 5011);
const functionsDir = join(process.cwd(), 'functions');
const exported = (await import(pathToFileURL(join(functionsDir, 'lib', 'index.js')).href)) as Record<string, unknown>;

// Deploying (and the emulator) puts every parameter's value into the
// environment; `defineInt(…).value()` reads it there and gives 0, not the
// default, when it is missing. The same module instance the functions
// registered their parameters in (CommonJS, one file for both conditions).
const requireFromFunctions = createRequire(join(functionsDir, 'package.json'));
const params = requireFromFunctions('firebase-functions/params') as {
  declaredParams: Array<{ name: string; options?: { default?: unknown } }>;
};
for (const p of params.declaredParams) {
  const fallback = p.options?.default;
  if (process.env[p.name] === undefined && ['string', 'number', 'boolean'].includes(typeof fallback)) {
    process.env[p.name] = String(fallback);
  }
}

// A callable (onCall) is a request handler with `__endpoint.callableTrigger`.
const callables = new Map<string, Handler>();
for (const [name, value] of Object.entries(exported)) {
  const endpoint = (value as { __endpoint?: { callableTrigger?: unknown } } | null)?.__endpoint;
  if (typeof value === 'function' && endpoint?.callableTrigger) callables.set(name, value as Handler);
}

const app = express();
// The Functions Framework parses JSON and keeps the raw body; the callable reads `req.body`.
app.use(
  express.json({
    limit: '10mb',
    verify: (req, _res, buf) => {
      (req as unknown as { rawBody: Buffer }).rawBody = buf;
    },
  }),
);
app.all('/:project/:region/:name', (req, res) => {
  const handler = callables.get(req.params['name'] ?? '');
  if (!handler) {
    res.status(404).send('no such callable');
    return;
  }
  void handler(req, res);
});
app.listen(port, '127.0.0.1', () => {
  process.stderr.write(`ready ${port} ${[...callables.keys()].sort().join(',')}\n`);
});
