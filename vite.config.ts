import { defineConfig, type Plugin } from 'vite'

/** The optional features: each an entry of its own (`pixie-auth/dpop`...), so an app bundles only those it imports. */
const features = ['dpop', 'par', 'resource', 'silent-login', 'popup', 'fetch', 'userinfo', 'isolation']

/**
 * The entries that hold React components and hooks: React Server Components (Next.js App Router)
 * import them from a server layout only when the file says `'use client'`. Added as a banner,
 * because bundlers drop or warn about module-level directives in sources; scripts/check-pack.mjs
 * checks the built files start with it.
 */
const clientEntries = ['bindings/react/index.js']

/**
 * The worker's URL, `new URL('./isolation-worker.js', import.meta.url)`, must reach dist/ as it is
 * written: it is the app's bundler (Vite, webpack, Next.js) that emits the worker, next to the
 * module that names it. Vite's own worker plug-in would bundle it here, so it is hidden from Vite
 * while this library builds, and put back in the output. The worker file itself is built by
 * scripts/build-worker.mjs.
 */
const workerUrl = "new URL('./isolation-worker.js', import.meta.url)"
// As long as the URL, so that the source maps' columns hold.
const workerUrlMarker = 'new URL(__PIXIE_AUTH_ISOLATION_WORKER___________)'
const keepWorkerUrl: Plugin = {
  name: 'pixie-auth:keep-worker-url',
  enforce: 'pre',
  transform: (code) => (code.includes(workerUrl) ? { code: code.replaceAll(workerUrl, workerUrlMarker), map: null } : undefined),
  renderChunk: (code) => (code.includes(workerUrlMarker) ? { code: code.replaceAll(workerUrlMarker, workerUrl), map: null } : undefined),
}

// Library build: one ES module per entry in dist/, dependencies left to the app's bundler.
export default defineConfig({
  plugins: [keepWorkerUrl],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: {
      // The framework bindings are entries of their own, so the core entry never imports React or Vue.
      entry: {
        index: 'src/index.ts',
        ...Object.fromEntries(features.map((name) => [name, `src/${name}.ts`])),
        'bindings/react/index': 'src/bindings/react/index.ts',
        'bindings/vue/index': 'src/bindings/vue/index.ts',
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: ['oauth4webapi', 'idb-keyval', 'react', 'react/jsx-runtime', 'vue', 'vue-router'],
      // One file per source module, as src/ has them: the app's bundler then splits pixie-auth as
      // finely as its own code. Chunks made here would tie modules together, and a page that needs
      // one (the popup's callback page: handlePopupCallback) would load all of them.
      output: {
        preserveModules: true,
        preserveModulesRoot: 'src',
        entryFileNames: '[name].js',
        banner: (chunk) => (clientEntries.includes(chunk.fileName) ? "'use client';" : ''),
      },
    },
  },
})
