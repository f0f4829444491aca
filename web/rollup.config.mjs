// Bundles the tsc output (web/build) into web/dist for Firebase Hosting.
// Firebase sits in its own chunks, loaded by a dynamic import after first paint.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

// Start clean: chunk names carry hashes, so old ones would pile up and be deployed.
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
// The page and the static files beside it: favicon, rules, privacy and terms pages and their stylesheet.
cpSync('public', 'dist', { recursive: true });

/**
 * Web fonts for the Indic scripts of the rooms and languages: a device
 * without them draws boxes. From the @fontsource packages, only each
 * script's own subset at the regular weight (bold is synthesised): every
 * face carries the script's unicode-range, so a browser fetches a font only
 * when it draws that script, and a Latin page fetches none. The page links
 * assets/fonts.css after it starts (elements/fonts.ts); the faces' family
 * names are the ones the page's font stack lists (parley-app.ts).
 */
const INDIC_FONTS = ['devanagari', 'tamil', 'telugu', 'malayalam', 'kannada', 'bengali'];

function writeFonts() {
  const require = createRequire(import.meta.url);
  mkdirSync('dist/assets/fonts', { recursive: true });
  const faces = INDIC_FONTS.map((script) => {
    const css = require.resolve(`@fontsource/noto-sans-${script}/400.css`);
    const file = `noto-sans-${script}-${script}-400-normal.woff2`;
    const rule = readFileSync(css, 'utf8')
      .split('@font-face')
      .find((r) => r.includes(file));
    const range = /unicode-range:\s*([^;]+);/.exec(rule ?? '')?.[1];
    const family = /font-family:\s*'([^']+)'/.exec(rule ?? '')?.[1];
    if (!range || !family) throw new Error(`no ${script} face in ${css}`);
    copyFileSync(join(dirname(css), 'files', file), join('dist/assets/fonts', basename(file)));
    return `@font-face {\n  font-family: '${family}';\n  font-style: normal;\n  font-weight: 400;\n  font-display: swap;\n  src: url(fonts/${file}) format('woff2');\n  unicode-range: ${range};\n}\n`;
  });
  writeFileSync('dist/assets/fonts.css', `/* Noto Sans (SIL Open Font License 1.1), from @fontsource. */\n${faces.join('')}`);
}
writeFonts();

/** The language modules (web/generated/locales, from lit-localize): each loaded only when its language is picked. */
const LOCALE_MODULE = /\/generated\/locales\/([a-z-]+)\.js$/;

/**
 * Chunks the page imports only when a person asks for what they hold: the
 * connection check, the guide and the private call page (on their routes),
 * the in-call features and elements (after Start or Join), the 18+
 * confirmation (on a device's first Start). Every other chunk the entry imports
 * dynamically loads after first paint by itself (the backend) and counts
 * toward "before Start works" (docs/PERFORMANCE.md). A new lazy chunk counts
 * there too until it is named here.
 */
const ON_DEMAND = new Set(['parley-check', 'parley-guide', 'parley-call', 'in-call', 'in-call-elements', 'parley-age-dialog']);

/**
 * Writes build/bundle-stats.json: each chunk, whether the page loads it up
 * front (static imports of the entry), by itself after first paint, or on
 * demand (a language's words among them: `locale`), and its largest modules. The benchmark reads it; it is not deployed.
 */
function bundleStats() {
  return {
    name: 'parley-bundle-stats',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle)
        .filter((c) => c.type === 'chunk')
        .map((c) => ({
          file: c.fileName,
          isEntry: c.isEntry,
          onDemand: ON_DEMAND.has(c.name) || LOCALE_MODULE.test(c.facadeModuleId ?? ''),
          locale: LOCALE_MODULE.exec(c.facadeModuleId ?? '')?.[1] ?? null,
          imports: c.imports,
          dynamicImports: c.dynamicImports,
          modules: Object.entries(c.modules)
            .map(([id, m]) => ({ id: id.replace(/^.*node_modules\//, ''), bytes: m.renderedLength }))
            .sort((a, b) => b.bytes - a.bytes),
        }));
      mkdirSync('build', { recursive: true });
      writeFileSync('build/bundle-stats.json', JSON.stringify(chunks, null, 1));
    },
  };
}

/**
 * Firestore 12 evaluates Pipeline queries locally and imports re2js (about 55
 * KB gzipped, a third of what the page loads before Start) only for the regex
 * and LIKE expressions of Pipelines. Parley uses no Pipelines; this module
 * stands in for re2js, and Firestore already catches the error it throws
 * (those expressions would evaluate to an error instead of a value).
 */
function withoutPipelineRegex() {
  const id = '\0parley-re2js-stub';
  return {
    name: 'parley-without-pipeline-regex',
    resolveId: (source) => (source === 're2js' ? id : null),
    load: (source) =>
      source === id
        ? `export const RE2JS = { compile() { throw new Error('Firestore Pipeline regular expressions are not bundled in Parley'); } };`
        : null,
  };
}

export default {
  input: 'build/web/src/main.js',
  output: {
    dir: 'dist/assets',
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
  },
  onwarn(warning, warn) {
    // tsc's decorator helper reads top-level `this` (undefined in modules); harmless.
    if (warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
  plugins: [withoutPipelineRegex(), nodeResolve({ browser: true }), terser({ format: { comments: false } }), bundleStats()],
};
