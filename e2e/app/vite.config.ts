import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const appRoot = fileURLToPath(new URL('.', import.meta.url))
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
// PIXIE_E2E_SDK_ENTRY (path from the repo root) runs the same tests against another build of the
// SDK, e.g. `PIXIE_E2E_SDK_ENTRY=dist/index.js` for the published bundle. Default: the sources.
// The feature entries (`pixie-auth/dpop`...) are the files of the same name next to it, as in
// src/ and dist/.
const sdkEntry = fileURLToPath(new URL(process.env.PIXIE_E2E_SDK_ENTRY ?? 'src/index.ts', new URL('../../', import.meta.url)))
const { dir: sdkDir, ext: sdkExt } = path.parse(sdkEntry)
const FEATURES = ['dpop', 'par', 'resource', 'silent-login', 'popup', 'fetch', 'userinfo', 'isolation']

// Test harness app for the Playwright e2e tests: serves e2e/app/ on http://localhost:5173
// and resolves `pixie-auth` and its feature entries to the SDK's TypeScript sources (no build needed).
export default defineConfig({
  root: appRoot,
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-e2e', import.meta.url)),
  clearScreen: false,
  resolve: {
    alias: [
      { find: /^pixie-auth$/, replacement: sdkEntry },
      { find: new RegExp(`^pixie-auth/(${FEATURES.join('|')})$`), replacement: path.join(sdkDir, `$1${sdkExt}`) },
    ],
  },
  // Pre-bundle the SDK's runtime deps up front: otherwise vite discovers them on the first
  // page load, re-optimizes and force-reloads the page in the middle of a test.
  optimizeDeps: {
    include: ['oauth4webapi', 'idb-keyval'],
    entries: ['*.html'],
  },
  server: {
    host: 'localhost',
    port: 5173,
    strictPort: true,
    hmr: false,
    fs: { allow: [repoRoot] },
  },
})
