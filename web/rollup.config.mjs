// Bundles the tsc output (web/build) into web/dist for Firebase Hosting.
// Firebase sits in its own chunks, loaded by a dynamic import after first paint.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { minifyCssTemplates } from './css-templates.mjs';

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
 * The call engine's modules (web/src/flows/call-engine.ts loads it after
 * first paint): one chunk, not the five small ones rollup would cut along
 * their importers (each compressed apart: 0.8 KB more gzipped before Start).
 * None of them may be imported by what first paint needs, or the whole chunk
 * would load up front (the bench's web-bundle figures would show it).
 */
const CALL_ENGINE =
  /\/engine\/(call|reconnect-policy|peer-link|bitrate-policy|liveness|relay-watch|track-roles|event-log|types|channel-messages|mailbox|held-queue)\.js$/;

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
          // The page's entry; a worker's script (urlChunks) is an entry of rollup's too, but not the page's.
          isEntry: c.isEntry && c.name === 'main',
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

/**
 * @firebase/app keeps its heartbeat in IndexedDB through the `idb` package,
 * which wraps every IndexedDB object in proxies (10.3 KB rendered, in the
 * chunk that must load before Start works). `idb` resolves instead to
 * web/src/backend/heartbeat-idb.ts: the four calls @firebase/app makes, on
 * the plain API (tested against real IndexedDB and the real `idb` in
 * test/web/backend/heartbeat-idb.test.ts).
 */
function idbForHeartbeats() {
  const file = resolve('build/web/src/backend/heartbeat-idb.js');
  return {
    name: 'parley-idb-for-heartbeats',
    resolveId: (source) => (source === 'idb' ? file : null),
  };
}

/**
 * `@tensorflow/tfjs` is everything: training gradients, tfjs-data and the
 * WebGL backend too. nsfwjs imports it whole, but the screening worker
 * runs inference only, on the WASM backend or else the CPU one; this
 * module stands in for it with what that needs, about half the worker's
 * chunk. (The chained ops are `tensor.div(…)`-style calls nsfwjs makes.)
 */
function tfjsForInference() {
  const id = '\0parley-tfjs-inference';
  return {
    name: 'parley-tfjs-for-inference',
    resolveId: (source) => (source === '@tensorflow/tfjs' ? id : null),
    load: (source) =>
      source === id
        ? [
            "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';",
            "import '@tensorflow/tfjs-backend-cpu';",
            "export * from '@tensorflow/tfjs-core';",
            "export * from '@tensorflow/tfjs-layers';",
            "export * from '@tensorflow/tfjs-converter';",
          ].join('\n')
        : null,
  };
}

/**
 * Our stylesheets (Lit `css` templates) without their comments and
 * indentation, which terser keeps: web/css-templates.mjs. Lines stay where
 * they were, so the tsc source maps still hold.
 */
function cssTemplates() {
  const ours = resolve('build/web/src');
  return {
    name: 'parley-css-templates',
    transform(code, id) {
      if (!id.startsWith(ours)) return null;
      const out = minifyCssTemplates(code);
      return out === null ? null : { code: out, map: null };
    },
  };
}

/**
 * Files a module names with `new URL('…', import.meta.url)`, the pattern
 * browsers resolve against the module's own address: a relative `.js` (a
 * Worker's script, e.g. features/screening-worker.js) becomes a chunk of
 * its own, with its own imports; a package file (the WASM binaries of
 * tfjs's backend) is copied as an asset. Both get hashed names, so they are
 * cached like every other chunk, and the URL in the code is rewritten to
 * the emitted file. Nothing else is fetched at run time from anywhere but
 * this site.
 */
function urlChunks() {
  const pattern = /new URL\(\s*'([^']+)',\s*import\.meta\.url\s*\)/g;
  return {
    name: 'parley-url-chunks',
    transform(code, id) {
      if (!code.includes('import.meta.url')) return null;
      let changed = false;
      const out = code.replace(pattern, (whole, spec) => {
        let ref;
        if (spec.startsWith('./') || spec.startsWith('../')) {
          const file = resolve(dirname(id), spec);
          if (!spec.endsWith('.js') || !existsSync(file)) return whole;
          ref = this.emitFile({ type: 'chunk', id: file, name: basename(file, '.js') });
        } else if (spec.endsWith('.wasm')) {
          const file = createRequire(id).resolve(spec);
          ref = this.emitFile({ type: 'asset', name: basename(file), source: readFileSync(file) });
        } else {
          return whole;
        }
        changed = true;
        return `new URL(import.meta.ROLLUP_FILE_URL_${ref})`;
      });
      // Only string literals change, within their lines: the existing source map still holds.
      return changed ? { code: out, map: null } : null;
    },
  };
}

export default {
  input: 'build/web/src/main.js',
  output: {
    dir: 'dist/assets',
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    manualChunks: (id) => (CALL_ENGINE.test(id) ? 'call-engine' : undefined),
    assetFileNames: '[name]-[hash][extname]',
    sourcemap: true,
  },
  onwarn(warning, warn) {
    // tsc's decorator helper reads top-level `this` (undefined in modules); harmless.
    if (warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
  plugins: [
    withoutPipelineRegex(),
    idbForHeartbeats(),
    tfjsForInference(),
    urlChunks(),
    cssTemplates(),
    // A browser bundle: `buffer` (nsfwjs decodes its weights with it) is the npm package, not Node's.
    nodeResolve({ browser: true, preferBuiltins: false }),
    // nsfwjs's model and weight bundles and tfjs's WASM glue are CommonJS.
    commonjs(),
    terser({ format: { comments: false } }),
    bundleStats(),
  ],
};
