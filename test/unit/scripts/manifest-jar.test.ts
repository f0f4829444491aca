/**
 * scripts/parley.mjs writes the Firestore emulator's wrapper JAR itself (a
 * manifest naming the main class, the gcloud JAR on its class path), so that
 * no JDK is installed for its `jar` tool. Java reads what it wrote: `java
 * -jar` on a wrapper whose main class is made up fails naming that class,
 * which it found in the manifest, after a Class-Path long enough to be
 * continued over several lines.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', '..', '..');

type ManifestOnlyJar = (attributes: Record<string, string>) => Buffer;

async function manifestOnlyJar(): Promise<ManifestOnlyJar> {
  return ((await import(join(ROOT, 'scripts', 'parley.mjs'))) as { manifestOnlyJar: ManifestOnlyJar }).manifestOnlyJar;
}

describe('the wrapper JAR scripts/parley.mjs writes without a JDK', () => {
  it('is a ZIP of one stored entry, META-INF/MANIFEST.MF, with lines of at most 72 bytes', async () => {
    const longPath = `/usr/lib/${'long-folder-name/'.repeat(12)}cloud_firestore_emulator.jar`;
    const jar = (await manifestOnlyJar())({ 'Manifest-Version': '1.0', 'Class-Path': longPath, 'Main-Class': 'a.B' });
    assert.equal(jar.readUInt32LE(0), 0x04034b50, 'a local file header first');
    const nameLength = jar.readUInt16LE(26);
    assert.equal(jar.subarray(30, 30 + nameLength).toString(), 'META-INF/MANIFEST.MF');
    const size = jar.readUInt32LE(18);
    const manifest = jar.subarray(30 + nameLength, 30 + nameLength + size).toString();
    const lines = manifest.split('\r\n');
    assert.ok(
      lines.every((l) => Buffer.byteLength(l) <= 72),
      lines.map((l) => Buffer.byteLength(l)).join(' '),
    );
    // Continuation lines start with one space, which is not part of the value.
    const unfolded = manifest.replace(/\r\n /g, '');
    assert.match(unfolded, new RegExp(`^Class-Path: ${longPath}\r$`, 'm'));
    assert.ok(manifest.endsWith('\r\n\r\n'), 'the main section ends with an empty line');
    assert.equal(jar.readUInt32LE(jar.length - 22), 0x06054b50, 'the end of the central directory last');
  });

  it('is read by Java: java -jar finds its Main-Class after a long Class-Path', async (t) => {
    if (spawnSync('java', ['-version']).status !== 0) {
      t.skip('no Java on this machine (npm test installs it before this layer)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'parley-jar-'));
    try {
      const file = join(dir, 'wrapper.jar');
      const longPath = join(dir, `${'long-folder-name/'.repeat(12)}absent.jar`);
      writeFileSync(
        file,
        (await manifestOnlyJar())({ 'Manifest-Version': '1.0', 'Class-Path': longPath, 'Main-Class': 'parley.MadeUpMain' }),
      );
      const res = spawnSync('java', ['-jar', file], { encoding: 'utf8', timeout: 60_000 });
      assert.notEqual(res.status, 0);
      assert.match(res.stderr, /Could not find or load main class parley\.MadeUpMain/, res.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
