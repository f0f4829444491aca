/**
 * The page's languages: which one a person gets, the room that goes with
 * it, and that every language has words for every message the source has
 * (lit-localize extracts the messages from the code afresh into a copy of
 * web/xliff; a message without a <target> in any file fails).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chosenLocale, LANG_STORAGE_KEY, LOCALES, localeFromLanguages, roomForLocale } from '../../../web/src/locale.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('locale', () => {
  it("takes the first of the browser's languages Parley speaks, by primary subtag", () => {
    assert.equal(localeFromLanguages(['ta-IN', 'en-US']), 'ta');
    assert.equal(localeFromLanguages(['fr-FR', 'pt-BR', 'es']), 'pt');
    assert.equal(localeFromLanguages(['HI']), 'hi');
    assert.equal(localeFromLanguages(['fr', 'de']), 'en', 'English when none is spoken');
    assert.equal(localeFromLanguages([]), 'en');
  });

  it('prefers the language the person picked, and ignores a stored value it does not know', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    Object.assign(globalThis, { localStorage: storage });
    try {
      assert.equal(chosenLocale(['bn-IN']), 'bn', 'nothing picked: the browser');
      store.set(LANG_STORAGE_KEY, 'kn');
      assert.equal(chosenLocale(['bn-IN']), 'kn', 'picked');
      store.set(LANG_STORAGE_KEY, 'xx');
      assert.equal(chosenLocale(['bn-IN']), 'bn', 'unknown: the browser');
    } finally {
      Reflect.deleteProperty(globalThis, 'localStorage');
    }
  });

  it('gives each language its room, English the busiest (Anyone)', () => {
    assert.equal(roomForLocale('en'), 'any');
    for (const { code } of LOCALES.filter((l) => l.code !== 'en')) assert.equal(roomForLocale(code), code);
  });

  it("lists lit-localize.json's languages, the source first", () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'lit-localize.json'), 'utf8')) as {
      sourceLocale: string;
      targetLocales: string[];
    };
    assert.deepEqual(
      LOCALES.map((l) => l.code),
      [config.sourceLocale, ...config.targetLocales],
    );
  });

  it('has a translation of every message in every language', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-xliff-'));
    try {
      const xliff = join(dir, 'xliff');
      cpSync(join(ROOT, 'web', 'xliff'), xliff, { recursive: true });
      const config = JSON.parse(readFileSync(join(ROOT, 'lit-localize.json'), 'utf8')) as Record<string, unknown>;
      const copy = {
        ...config,
        tsConfig: join(ROOT, 'web', 'tsconfig.json'),
        output: { mode: 'runtime', outputDir: join(dir, 'locales') },
        interchange: { format: 'xliff', xliffDir: xliff },
      };
      writeFileSync(join(dir, 'lit-localize.json'), JSON.stringify(copy));
      const res = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'lit-localize'),
        ['extract', '--config', join(dir, 'lit-localize.json')],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
      assert.equal(res.status, 0, `lit-localize extract: ${res.stderr}`);
      const files = readdirSync(xliff);
      assert.equal(files.length, LOCALES.length - 1, 'one file per language but the source');
      for (const file of files) {
        const text = readFileSync(join(xliff, file), 'utf8');
        const units = text.split('<trans-unit ').slice(1);
        assert.ok(units.length > 300, `${file} holds the messages`);
        const missing = units.filter((u) => !u.includes('<target>')).map((u) => /<source>(.*?)<\/source>/s.exec(u)?.[1]);
        assert.deepEqual(missing, [], `${file}: messages without a translation`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
