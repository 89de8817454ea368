// The sizes of the package's entries as an app pays for them: the core alone, the core with each
// feature (a bundle importing both, so what the feature adds is only its own bytes), everything
// but the bindings together, and each binding. Shared by the bench table and `npm run check:size`.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bundleSize, compressedSizes, ROOT } from './bundle-size.mjs'
import { packageEntries } from './package-entries.mjs'

/** Token isolation's worker script, which the app's bundler emits as its own file beside the bundle. */
export const WORKER_FILE = 'dist/isolation-worker.js'

/**
 * The worker script's size as the browser loads it: the built file (esbuild already minified it, its
 * dependencies inlined) without its source map comment. `{ minified, gzip, brotli }` or `{ error }`.
 */
export async function measureWorkerSize() {
  const source = await readFile(join(ROOT, WORKER_FILE), 'utf8').catch(() => undefined)
  if (source === undefined) return { error: `not built (${WORKER_FILE})` }
  return compressedSizes(Buffer.from(source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '')))
}

const KEYS = ['minified', 'gzip', 'brotli']

/** One bundle importing every entry of `group` (`export *` from each, as an app would import them). */
async function measureTogether(group) {
  const missing = group.find((entry) => !entry.built)
  if (missing) return { error: `not built (${missing.file})` }
  const contents = group.map((entry) => entry.contents).join('\n')
  return bundleSize({ contents }, { external: group[0].external })
}

/** `with` minus `without`, key by key; undefined when either could not be measured. */
function added(withIt, without) {
  if (withIt.error || without.error) return undefined
  return Object.fromEntries(KEYS.map((key) => [key, withIt[key] - without[key]]))
}

/**
 * `{ entries, core, features, everything, bindings }`: `entries` has every entry measured alone
 * (`{ name, kind, size }`, size `{ minified, gzip, brotli }` in bytes or `{ error }`); `features` has,
 * for each feature, `together` (bundled with the core) and `added` (that minus the core alone);
 * `everything` is the core and every feature in one bundle.
 */
export async function measureEntrySizes(entries = packageEntries()) {
  const alone = []
  for (const entry of entries) alone.push({ name: entry.name, kind: entry.kind, size: await measureTogether([entry]) })
  const coreEntry = entries.find((entry) => entry.kind === 'core')
  const featureEntries = entries.filter((entry) => entry.kind === 'feature')
  const core = alone.find((entry) => entry.kind === 'core')
  const features = []
  for (const feature of featureEntries) {
    const together = coreEntry ? await measureTogether([coreEntry, feature]) : { error: 'no core entry' }
    features.push({ name: feature.name, together, added: core && added(together, core.size) })
  }
  const everything = {
    names: [coreEntry, ...featureEntries].filter(Boolean).map((entry) => entry.name),
    size: coreEntry ? await measureTogether([coreEntry, ...featureEntries]) : { error: 'no core entry' },
  }
  return { entries: alone, core, features, everything, bindings: alone.filter((entry) => entry.kind === 'binding') }
}
