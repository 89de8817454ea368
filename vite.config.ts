import { defineConfig } from 'vite'

// Library build: one ES module per entry in dist/, dependencies left to the app's bundler.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: {
      entry: { index: 'src/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: ['oauth4webapi', 'idb-keyval'],
    },
  },
})
