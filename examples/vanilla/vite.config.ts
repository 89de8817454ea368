import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// In your app, `pixie-auth` comes from node_modules; here it is the SDK's source next door.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: { 'pixie-auth': fileURLToPath(new URL('../../src/index.ts', import.meta.url)) } },
  server: { host: 'localhost', port: 5174, strictPort: true },
  preview: { host: 'localhost', port: 5174, strictPort: true },
})
