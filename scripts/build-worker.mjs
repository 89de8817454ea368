// Builds dist/isolation-worker.js, token isolation's worker: one self-contained classic script
// (oauth4webapi and idb-keyval inlined; no import, export, top-level await or import.meta), so it
// runs whether the app's bundler makes it a module worker or a classic one (webpack does unless
// `output.module` is set), and loads even when a bundler copies it as a plain asset.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/isolation-worker.ts'],
  outfile: 'dist/isolation-worker.js',
  bundle: true,
  format: 'iife',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
})
