/**
 * The page's stylesheets ship minified (web/css-templates.mjs, run by rollup
 * on every module): what it does to a Lit `css` template, and that the built
 * entry chunk, the JavaScript before first paint, carries no CSS comment or
 * indentation any more.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { firebaseJson, ROOT } from './support.js';

interface CssTemplates {
  minifyCss(text: string): string;
  minifyCssTemplates(code: string): string | null;
}
const load = async () => (await import(join(ROOT, 'web', 'css-templates.mjs'))) as CssTemplates;

describe('minifying Lit css templates', () => {
  it('drops comments and whitespace, keeps strings and descendant selectors', async () => {
    const { minifyCss } = await load();
    assert.equal(
      minifyCss(`
      /* a comment, with a quote's apostrophe */
      a :hover ,
      b > c {
        font-family: "Noto  Sans", sans-serif;
        margin: 0 auto;
      }
      @media (max-width: 40rem) { a { color: red; } }
    `),
      ' a :hover ,b > c{font-family:"Noto  Sans",sans-serif;margin:0 auto;}@media (max-width:40rem){a{color:red;}}',
    );
  });

  it('changes only the static text of css templates, and keeps every line where it was', async () => {
    const { minifyCssTemplates } = await load();
    const module = [
      'const other = `a  /* not css */  b`;',
      'const styles = css `',
      '  :host {',
      '    /* the fonts */',
      "    font-family: system-ui, ${unsafeCSS(FAMILIES.map((f) => `'${f}'`).join(', '))}, sans-serif;",
      '  }',
      '`;',
      'const after = html`<p>  kept  </p>`;',
    ].join('\n');
    const out = minifyCssTemplates(module);
    assert.ok(out !== null);
    const lines = out.split('\n');
    assert.equal(lines.length, module.split('\n').length);
    assert.equal(lines[0], 'const other = `a  /* not css */  b`;');
    assert.equal(
      lines[1],
      "const styles = css `:host{font-family:system-ui,${unsafeCSS(FAMILIES.map((f) => `'${f}'`).join(', '))},sans-serif;}",
    );
    assert.equal(lines.at(-1), 'const after = html`<p>  kept  </p>`;');
    assert.equal(minifyCssTemplates('const x = `no css here`;'), null);
    assert.equal(
      minifyCssTemplates('/** Lit `css` templates, `minified` */ const x = 1;'),
      null,
      'a comment naming `css` is no template',
    );
  });

  it('leaves no CSS comment or indented rule in the chunk the page loads first', () => {
    const main = readFileSync(join(ROOT, firebaseJson().hosting.public, 'assets', 'main.js'), 'utf8');
    assert.ok(main.includes(':host{'), 'the stylesheets are in the entry chunk');
    assert.doesNotMatch(main, /\/\*/);
    assert.doesNotMatch(main, /;\n\s+[a-z-]+: /);
  });
});
