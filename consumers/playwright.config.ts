import { defineConfig } from '@playwright/test'
import baseConfig from '../playwright.config'

// The consumer apps that scripts/consumers.mjs built from the packed tarball, each served by its own
// `vite preview`, beside the mock provider. The ports are registered redirect URIs at the provider.
const dir = process.env.CONSUMERS_DIR
if (!dir) throw new Error('CONSUMERS_DIR is not set: run `npm run test:consumers`')

export const CONSUMER_APPS = [
  { name: 'vanilla', origin: 'http://localhost:5174' },
  { name: 'react', origin: 'http://localhost:5175' },
  { name: 'vue', origin: 'http://localhost:5176' },
]

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
    ...CONSUMER_APPS.map(({ name, origin }) => ({
      command: `npx --no vite preview --host localhost --strictPort --port ${new URL(origin).port}`,
      cwd: `${dir}/${name}`,
      url: `${origin}/`,
      reuseExistingServer: false,
      timeout: 30_000,
    })),
  ],
})
