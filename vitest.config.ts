import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    alias: [
      { find: /^pixie-auth$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
      { find: /^pixie-auth\/(react|vue)$/, replacement: new URL('./src/bindings/$1/index.ts', import.meta.url).pathname },
      { find: /^pixie-auth\/([a-z-]+)$/, replacement: new URL('./src/$1.ts', import.meta.url).pathname },
    ],
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}', 'e2e/provider/**/*.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
  },
})
