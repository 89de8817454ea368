// `npm run check:size`: the size budget. Bundles each built package entry the way the bench does
// (esbuild, minified, dependencies included, peer dependencies left out), gzips it at level 9 and
// fails if it is over its budget in package.json "sizeBudget" (bytes, by entry name).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bundleSize, ROOT } from '../bench/bundle-size.mjs'
import { packageEntries } from '../bench/package-entries.mjs'

const budgets = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).sizeBudget ?? {}
const entries = packageEntries()
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`
let failed = false

for (const entry of entries) {
  const budget = budgets[entry.name]
  if (!entry.built) {
    // An entry with a budget has to be measured: run `npm run build` first.
    console.log(`${entry.name}: not built (${entry.file})${budget === undefined ? '' : ': FAIL, it has a budget'}`)
    failed ||= budget !== undefined
    continue
  }
  const { gzip, brotli, minified } = await bundleSize({ contents: entry.contents }, { external: entry.external })
  const verdict =
    budget === undefined ? 'no budget' : gzip <= budget ? `within budget ${budget} B (${kb(budget)})` : `FAIL: over budget ${budget} B (${kb(budget)}) by ${gzip - budget} B`
  console.log(`${entry.name}: ${gzip} B min+gzip -9 (${kb(gzip)}); ${brotli} B brotli; ${minified} B minified: ${verdict}`)
  failed ||= budget !== undefined && gzip > budget
}

for (const name of Object.keys(budgets).filter((name) => !entries.some((entry) => entry.name === name))) {
  console.log(`${name}: FAIL, has a budget but is not a JavaScript export in package.json`)
  failed = true
}
if (failed) process.exitCode = 1
