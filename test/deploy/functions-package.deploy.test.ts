/**
 * The functions deploy as Cloud Build builds them: `firebase deploy` zips
 * functions/ alone (minus firebase.json's `ignore`), and Cloud Build installs
 * that folder's package.json with production dependencies only. The
 * workspace hoists dependencies to the root node_modules, so a dependency
 * missing from functions/package.json works here and fails on deploy day.
 * This packs the folder with firebase-tools' own packager, installs it in a
 * temporary folder outside the workspace, and asks firebase-functions'
 * discovery (what deploy runs) for the endpoints: every function that
 * functions/lib/index.js exports must be there.
 *
 * Needs `npm run build` first (functions/lib). Installs from the npm cache
 * when it can (--prefer-offline), else from the registry.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FUNCTIONS_DIR, exportedFunctionNames, firebaseJson } from './support.js';

const require = createRequire(import.meta.url);
// Internal modules of the pinned firebase-tools (14.18.0): the packager and unzip that `firebase deploy` uses.
const { prepareFunctionsUpload } = require('firebase-tools/lib/deploy/functions/prepareFunctionsUpload.js') as {
  prepareFunctionsUpload(dir: string, config: { ignore?: string[] }): Promise<{ pathToSource: string }>;
};
const { unzip } = require('firebase-tools/lib/unzip.js') as { unzip(zip: string, dir: string): Promise<void> };

interface Manifest {
  endpoints: Record<
    string,
    { platform?: string; minInstances?: unknown; region?: string[]; secretEnvironmentVariables?: { key: string }[] }
  >;
  requiredAPIs?: unknown[];
}

describe('functions package, installed alone as Cloud Build does', () => {
  let work: string;
  let manifest: Manifest;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'parley-deploy-'));
    const config = firebaseJson().functions[0]!;
    const { pathToSource } = await prepareFunctionsUpload(FUNCTIONS_DIR, { ignore: [...(config.ignore ?? [])] });
    await unzip(pathToSource, work);
    rmSync(pathToSource, { force: true });
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('uploads compiled code and package.json, not sources or node_modules', () => {
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: work, encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(files.includes('./package.json'), 'package.json is uploaded');
    assert.ok(files.includes('./lib/index.js'), 'lib/index.js is uploaded (build before deploy)');
    assert.equal(files.filter((f) => f.startsWith('./node_modules/') || f.startsWith('./src/')).length, 0);
    // The emulator's secrets and overrides stay on the developer's machine.
    assert.ok(!files.includes('./.secret.local'), 'functions/.secret.local (the local TURN secret) is not uploaded');
    assert.ok(!files.includes('./.env.local'), 'functions/.env.local (emulator-only parameters) is not uploaded');
  });

  it('installs with production dependencies only, outside the workspace', () => {
    const res = spawnSync(
      'npm',
      ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'],
      {
        cwd: work,
        encoding: 'utf8',
        // Not the workspace's offline setting: a package missing from the cache may come from the registry.
        env: { ...process.env, npm_config_offline: 'false' },
      },
    );
    assert.equal(res.status, 0, `npm install failed in the uploaded folder:\n${res.stderr}`);
  });

  it('loads, and firebase-functions discovery finds every exported function', () => {
    const out = join(work, 'manifest.json');
    const res = spawnSync(join(work, 'node_modules', '.bin', 'firebase-functions'), ['.'], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, FUNCTIONS_MANIFEST_OUTPUT_PATH: out, GCLOUD_PROJECT: 'demo-parley', NODE_PATH: '' },
      timeout: 60_000,
    });
    assert.equal(res.status, 0, `discovery failed (the code does not load from its own dependencies):\n${res.stderr}`);
    manifest = JSON.parse(readFileSync(out, 'utf8')) as Manifest;
    const discovered = Object.keys(manifest.endpoints).sort();
    const exported = exportedFunctionNames();
    assert.ok(exported.length > 0, 'functions/lib/index.js exports functions');
    assert.deepEqual(
      exported.filter((name) => !discovered.includes(name)),
      [],
      'every function exported by functions/lib/index.js is found in the deployed package',
    );
    assert.deepEqual(discovered, exported);
  });

  it('declares the production settings: region, 2nd gen, warm instances as a parameter', () => {
    assert.ok(manifest, 'discovery ran');
    for (const [name, endpoint] of Object.entries(manifest.endpoints)) {
      assert.equal(endpoint.platform, 'gcfv2', `${name} is 2nd gen`);
      assert.deepEqual(endpoint.region, ['us-central1'], `${name} deploys to us-central1`);
    }
    for (const name of ['join', 'leave']) {
      assert.equal(manifest.endpoints[name]?.minInstances, '{{ params.MIN_INSTANCES }}', `${name} takes MIN_INSTANCES`);
    }
  });

  it('binds the TURN secret to turnCredentials alone', () => {
    assert.ok(manifest, 'discovery ran');
    const holders = Object.entries(manifest.endpoints)
      .filter(([, e]) => (e.secretEnvironmentVariables ?? []).some((s) => s.key === 'TURN_SECRET'))
      .map(([name]) => name);
    assert.deepEqual(holders, ['turnCredentials']);
  });

  it('runs on Node 22 in production (firebase.json), while development needs only what package.json engines say', () => {
    assert.equal(firebaseJson().functions[0]!.runtime, 'nodejs22');
    const pkg = JSON.parse(readFileSync(join(FUNCTIONS_DIR, 'package.json'), 'utf8')) as { engines: { node: string } };
    const root = JSON.parse(readFileSync(join(FUNCTIONS_DIR, '..', 'package.json'), 'utf8')) as { engines: { node: string } };
    assert.equal(pkg.engines.node, root.engines.node, 'one development requirement');
  });
});
