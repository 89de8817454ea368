// `npm run check:size`: the size budget. Bundles each built package entry the way the bench does
// (esbuild, minified, dependencies included, peer dependencies left out), gzips it at level 9 and
// fails if it is over its budget in package.json "sizeBudget" (bytes, by entry name; token
// isolation's worker script by its file name, measured as built: it is minified and self-contained,
// and the app's bundler emits it as a file of its own). Then prints,
// without judging them, what an app pays: the core with each feature, everything together, and what
// the core entry is made of (by module and by oauth4webapi export).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../bench/bundle-size.mjs'
import { breakdown } from '../bench/core-breakdown.mjs'
import { measureEntrySizes, measureWorkerSize, WORKER_FILE } from '../bench/entry-sizes.mjs'
import { packageEntries } from '../bench/package-entries.mjs'

const budgets = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).sizeBudget ?? {}
const entries = packageEntries()
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`
const signed = (bytes) => `${bytes < 0 ? '−' : '+'}${Math.abs(bytes)} B`
let failed = false

/** Prints one measured row against its budget; returns whether it failed. */
function judge(name, size, budget) {
  if (size.error) {
    // An entry with a budget has to be measured: run `npm run build` first.
    console.log(`${name}: ${size.error}${budget === undefined ? '' : ': FAIL, it has a budget'}`)
    return budget !== undefined
  }
  const { gzip, brotli, minified } = size
  const verdict =
    budget === undefined ? 'no budget' : gzip <= budget ? `within budget ${budget} B (${kb(budget)})` : `FAIL: over budget ${budget} B (${kb(budget)}) by ${gzip - budget} B`
  console.log(`${name}: ${gzip} B min+gzip -9 (${kb(gzip)}); ${brotli} B brotli; ${minified} B minified: ${verdict}`)
  return budget !== undefined && gzip > budget
}

const sizes = await measureEntrySizes(entries)
for (const { name, size } of sizes.entries) failed = judge(name, size, budgets[name]) || failed
failed = judge(WORKER_FILE, await measureWorkerSize(), budgets[WORKER_FILE]) || failed

for (const name of Object.keys(budgets).filter((name) => name !== WORKER_FILE && !entries.some((entry) => entry.name === name))) {
  console.log(`${name}: FAIL, has a budget but is not a JavaScript export in package.json`)
  failed = true
}

const describe = (size) => (size.error ? size.error : `${size.gzip} B min+gzip -9 (${kb(size.gzip)})`)
console.log(`\nWhat an app pays (one bundle importing the core and the feature; "adds": beyond the core alone):`)
for (const { name, together, added } of sizes.features) {
  console.log(`  core + ${name}: ${describe(together)}${added ? `; adds ${signed(added.gzip)} gzip, ${signed(added.minified)} minified` : ''}`)
}
console.log(`  everything (${sizes.everything.names.join(', ')}): ${describe(sizes.everything.size)}`)

const core = entries.find((entry) => entry.kind === 'core')
const parts = core?.built ? await breakdown(core) : { error: 'core entry not built' }
if (parts.error) console.log(`\nBreakdown of the core entry: ${parts.error}`)
else {
  const { modules, o4w, source } = parts
  console.log(`\nThe core entry by module: esbuild metafile bytes of a bundle of ${source} (${modules.gzip} B min+gzip -9,`)
  console.log(`${modules.minified} B minified; the built entry: ${sizes.core.size.gzip ?? '?'} B, ${sizes.core.size.minified ?? '?'} B).`)
  console.log('gzip: each module\'s share of the minified bytes, applied to the gzip total.')
  const line = (minified, gzip, label) => console.log(`  ${String(minified).padStart(6)} B min  ≈${String(gzip).padStart(5)} B gzip  ${label}`)
  for (const group of modules.groups) line(group.minified, group.gzip, `${group.group} (all)`)
  for (const module of modules.modules) line(module.minified, module.gzip, module.path)
  console.log(`\nThe core entry by oauth4webapi export: gzip -9 bytes of a bundle of the ${o4w.exports.length} exports it uses (${o4w.total} B),`)
  console.log('minus the same bundle without that export; "shared": code that no single export brings alone.')
  console.log('"alone": a bundle of that export only (shared code counted again in each). "in order": what it adds to')
  console.log('the exports before it, taken largest alone first (shared code counted once, for the first that needs it).')
  const cell = (bytes, width = 6) => `${String(bytes).padStart(width)} B`
  for (const { name, gzip, alone, inOrder } of o4w.exports) {
    console.log(`  ${cell(gzip)}  (alone ${cell(alone, 5)}, in order ${cell(inOrder, 5)})  ${name}`)
  }
  console.log(`  ${cell(o4w.shared)}  shared`)
}
if (failed) process.exitCode = 1
