import { defineConfig } from '@playwright/test'
import baseConfig from '../playwright.config'

// The consumer apps that scripts/consumers.mjs built from the packed tarball, each served by its own
// `vite preview` (`next start` for Next.js), beside the mock provider. The ports are registered
// redirect URIs at the provider. CONSUMER_APPS=next,react: only the apps consumers.mjs built.
const dir = process.env.CONSUMERS_DIR
if (!dir) throw new Error('CONSUMERS_DIR is not set: run `npm run test:consumers`')

const preview = (port: number) => `npx --no vite preview --host localhost --strictPort --port ${port}`
// `dir`: the app's folder, when it is not `name` (the vanilla app, served by `vite dev` too); `path`:
// the page that logs in, when not '/'; an entry without `command` is served by its app's server.
// `isolated`: the app uses token isolation; the test checks the bundler emitted its worker.
const ALL_APPS = [
  { name: 'vanilla', origin: 'http://localhost:5174', command: preview(5174), isolated: true },
  { name: 'vanilla-dev', dir: 'vanilla', origin: 'http://localhost:5178', command: 'npx --no vite dev --host localhost --strictPort --port 5178', isolated: true },
  { name: 'react', origin: 'http://localhost:5175', command: preview(5175) },
  { name: 'vue', origin: 'http://localhost:5176', command: preview(5176) },
  { name: 'next', origin: 'http://localhost:5177', command: 'npx --no next start --hostname localhost --port 5177' },
  { name: 'next-isolated', dir: 'next', path: '/isolated', origin: 'http://localhost:5177', isolated: true },
  { name: 'webpack', origin: 'http://localhost:5179', command: `node ${new URL('./serve.mjs', import.meta.url).pathname} dist 5179`, isolated: true },
]
const selected = process.env.CONSUMER_APPS?.split(',')
export const CONSUMER_APPS = ALL_APPS.map((app) => ({ dir: app.name, path: '/', isolated: false, ...app })).filter(({ dir }) => !selected || selected.includes(dir))

export default defineConfig({
  ...baseConfig,
  testDir: '.',
  testMatch: 'login.spec.ts',
  globalTimeout: 4 * 60_000,
  webServer: [
    {
      command: 'node ../e2e/provider/mock-provider.mjs',
      url: 'http://127.0.0.1:4010/.well-known/openid-configuration',
      reuseExistingServer: false,
      timeout: 30_000,
    },
    ...CONSUMER_APPS.flatMap(({ dir: app, origin, command }) =>
      command
        ? [{ command, cwd: `${dir}/${app}`, env: { NEXT_TELEMETRY_DISABLED: '1' }, url: `${origin}/`, reuseExistingServer: false, timeout: 30_000 }]
        : [],
    ),
  ],
})
