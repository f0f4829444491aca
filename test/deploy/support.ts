/** What the deploy checks read: the repository's config files and build outputs. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from build/test/deploy). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FUNCTIONS_DIR = join(ROOT, 'functions');

export interface HeaderRule {
  source: string;
  headers: { key: string; value: string }[];
}

export interface FirebaseJson {
  functions: { source: string; runtime?: string; ignore?: string[] }[];
  hosting: { public: string; ignore?: string[]; headers: HeaderRule[] };
  emulators: Record<string, { host: string; port: number }>;
}

export function firebaseJson(file = 'firebase.json'): FirebaseJson {
  return JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as FirebaseJson;
}

/**
 * Names of the Cloud Functions that functions/lib/index.js exports (exports
 * carrying a definition, `__endpoint`), read in a child process: loading it
 * initializes firebase-admin, which this process must not share.
 */
export function exportedFunctionNames(): string[] {
  const script = `const m = await import(${JSON.stringify(join(FUNCTIONS_DIR, 'lib', 'index.js'))});
console.log(JSON.stringify(Object.keys(m).filter((k) => m[k] && typeof m[k] === 'function' && m[k].__endpoint).sort()));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, GCLOUD_PROJECT: 'demo-parley' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as string[];
}

/** The value of `key` that Hosting sends for `path`: the last matching rule wins, as in Hosting. */
export function headerFor(config: FirebaseJson, key: string): string | undefined {
  const rule = config.hosting.headers.find((r) => r.source === '**');
  return rule?.headers.find((h) => h.key === key)?.value;
}

/** A Content-Security-Policy as directive → sources. */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}
