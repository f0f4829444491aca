// Bundles the tsc output (web/build) into web/dist for Firebase Hosting.
// Firebase sits in its own chunks, loaded by a dynamic import after first paint.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

// Start clean: chunk names carry hashes, so old ones would pile up and be deployed.
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
// The page and the static files beside it: favicon, rules, privacy and terms pages and their stylesheet.
cpSync('public', 'dist', { recursive: true });

/**
 * Chunks the page imports only when a person asks for what they hold: the
 * connection check and the guide (on their routes), the in-call features and
 * elements (after Start or Join), the 18+ confirmation (on a device's first
 * Start). Every other chunk the entry imports
 * dynamically loads after first paint by itself (the backend) and counts
 * toward "before Start works" (docs/PERFORMANCE.md). A new lazy chunk counts
 * there too until it is named here.
 */
const ON_DEMAND = new Set(['parley-check', 'parley-guide', 'in-call', 'in-call-elements', 'parley-age-dialog']);

/**
 * Writes build/bundle-stats.json: each chunk, whether the page loads it up
 * front (static imports of the entry), by itself after first paint, or on
 * demand, and its largest modules. The benchmark reads it; it is not deployed.
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
          onDemand: ON_DEMAND.has(c.name),
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
