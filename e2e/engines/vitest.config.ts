// The cross-engine e2e suite (`npm run test:engines`): the flows of flows.ts in Chromium, Firefox ESR
// and WebKitGTK, Debian's stock engines. One test at a time: every flow shares (and resets) the
// servers that servers.ts starts.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['e2e/engines/**/*.test.ts'],
    environment: 'node',
    reporters: ['verbose'],
    globalSetup: ['e2e/engines/servers.ts'],
    fileParallelism: false,
    // The slowest flow takes about 10 s: a hung engine fails its tests, it does not stall the run.
    testTimeout: 40_000,
    hookTimeout: 90_000,
    teardownTimeout: 20_000,
  },
})
