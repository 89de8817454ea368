import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const source = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))

// In your app, `pixie-auth` comes from node_modules; here it is the SDK's source next door.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  resolve: {
    alias: [
      { find: /^pixie-auth$/, replacement: source('index.ts') },
      { find: /^pixie-auth\/vue$/, replacement: source('bindings/vue/index.ts') },
      { find: /^pixie-auth\/([a-z-]+)$/, replacement: source('$1.ts') },
    ],
  },
  // Its own cache: the e2e tests run this dev server next to the other apps' at the same time.
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-example-vue', import.meta.url)),
  server: { host: 'localhost', port: 5176, strictPort: true },
  preview: { host: 'localhost', port: 5176, strictPort: true },
})
