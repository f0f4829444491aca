/**
 * Every collection whose documents carry `expireAt` has a TTL policy in
 * firestore.indexes.json, so production deletes them (the sweeper is only a
 * backstop for some). Found statically: a write of `expireAt` in the same
 * statement as `collection(X)` in functions/src or web/src. Writes built in
 * one place and stored in another (a queue entry, a call, a report) escape
 * this reading; test/e2e/security-headers.e2e.test.ts checks the documents a
 * real call leaves in the emulator.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './support.js';

interface Indexes {
  fieldOverrides: { collectionGroup: string; fieldPath: string; ttl?: boolean }[];
}

export function ttlCollections(): Set<string> {
  const indexes = JSON.parse(readFileSync(join(ROOT, 'firestore.indexes.json'), 'utf8')) as Indexes;
  return new Set(indexes.fieldOverrides.filter((o) => o.fieldPath === 'expireAt' && o.ttl).map((o) => o.collectionGroup));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Collection-name constants (`export const QUEUE = 'queue'`) across the code. */
function constants(files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/export const ([A-Z_]+) = '([A-Za-z]+)'/g)) out.set(m[1]!, m[2]!);
  }
  return out;
}

describe('TTL policies', () => {
  it('cover every collection the code writes expireAt to', () => {
    const files = [...sources(join(ROOT, 'functions', 'src')), ...sources(join(ROOT, 'web', 'src'))];
    const names = constants(files);
    const written = new Set<string>();
    for (const f of files) {
      const code = readFileSync(f, 'utf8');
      // One statement (up to its `;`) naming a collection and writing expireAt.
      for (const m of code.matchAll(/collection\(([^()]*)\)[^;]*?\bexpireAt\s*:/g)) {
        const arg = m[1]!.split(',').pop()!.trim();
        const name = /^'([A-Za-z]+)'$/.exec(arg)?.[1] ?? names.get(arg);
        assert.ok(name, `${f}: cannot tell which collection ${arg} is`);
        written.add(name);
      }
    }
    // A floor that shows the scan still finds writes (it does not see writes
    // made through a helper, e.g. the mailboxes: the e2e headers test finds
    // those in a real call).
    assert.ok(written.size >= 2, `found the expireAt writes (${[...written].join(', ')})`);
    const ttl = ttlCollections();
    assert.deepEqual(
      [...written].filter((c) => !ttl.has(c)),
      [],
      'collections written with expireAt but without a TTL policy',
    );
  });
});
