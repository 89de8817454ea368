// Bundles one entry the way the peers' figures were measured (esbuild, minified ESM for the
// browser, dependencies included) and reports its size raw, gzip -9 and brotli at max quality.
// Shared by the bench and by the CI size budget (scripts/check-size.mjs), so both see one number.
import { build } from 'esbuild'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * `entry` is a file path or `{ contents }` (module source resolved from the repo root).
 * Returns byte counts `{ minified, gzip, brotli }`.
 */
export async function bundleSize(entry, { external = [] } = {}) {
  const source = typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'js' } }
  const { outputFiles } = await build({
    ...source,
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external,
    write: false,
    logLevel: 'silent',
    // The root tsconfig maps `pixie-auth` to src/ for the type checker; an empty one here lets
    // `pixie-auth` resolve through package.json "exports" to the built dist/, as it does for users.
    tsconfigRaw: '{}',
  })
  return compressedSizes(outputFiles[0].contents)
}

/** Byte counts `{ minified, gzip, brotli }` of already minified `code` (a Uint8Array). */
export function compressedSizes(code) {
  return {
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
      },
    }).length,
  }
}
