import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { 'pixie-auth': new URL('./src/index.ts', import.meta.url).pathname } },
  test: {
    include: ['test/**/*.test.{ts,tsx}', 'e2e/provider/**/*.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
  },
})
