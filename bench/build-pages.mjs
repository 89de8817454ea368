// Builds one bench page per browser SDK into bench/.out/pages/: the harness bundled with that SDK's
// adapter, minified like the size figures, so the browser runs what the size table measures.
import { build } from 'esbuild'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { ROOT } from './bundle-size.mjs'

export const PAGES_DIR = join(ROOT, 'bench/.out/pages')

/** Writes `<name>.html` and `<name>.js` for each SDK; returns the page paths by SDK name. */
export async function buildPages(sdks) {
  await mkdir(PAGES_DIR, { recursive: true })
  const paths = {}
  for (const sdk of sdks) {
    await build({
      entryPoints: [join(ROOT, 'bench/page/harness.js')],
      outfile: join(PAGES_DIR, `${sdk.name}.js`),
      alias: { 'bench-job': join(ROOT, sdk.adapter) },
      absWorkingDir: ROOT,
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      logLevel: 'warning',
      tsconfigRaw: '{}', // see bundle-size.mjs: `pixie-auth` must be the built package
      // The bundle's first statement, before any SDK code runs: the start of the in-page start-up time.
      banner: { js: 'window.benchScriptStart = performance.now();' },
    })
    // Where the bundle's `new URL('./<file>', import.meta.url)` finds it (esbuild leaves the URL as it is).
    if (sdk.worker) await copyFile(join(ROOT, sdk.worker), join(PAGES_DIR, basename(sdk.worker)))
    const html = `<!doctype html><meta charset="utf-8"><title>${sdk.name} bench</title><script type="module" src="./${sdk.name}.js"></script>\n`
    await writeFile(join(PAGES_DIR, `${sdk.name}.html`), html)
    paths[sdk.name] = `/${sdk.name}.html`
  }
  return paths
}
