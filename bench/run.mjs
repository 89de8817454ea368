// `npm run bench` (after `npm run build`): sizes, then Chromium measurements; prints one table and
// writes every raw figure to bench/.out/results.json. Timings never fail the run; it fails only if
// it cannot run, or if pixie-auth (token isolation too) sends more than one token request for 8 tabs.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT } from './bundle-size.mjs'
import { describeMachine } from './machine.mjs'
import { measureInBrowser } from './measure-browser.mjs'
import { REFRESHES } from './measure-memory.mjs'
import { TOKEN_CALLS, TOKEN_RUNS } from './measure-one-tab.mjs'
import { START_UP_APP_MS, START_UP_RUNS, TABS } from './measure-tabs.mjs'
import { SDKS } from './sdks.mjs'
import { measureSizes } from './sizes.mjs'
import { formatTable } from './table.mjs'

const TIME_LIMIT_MS = 10 * 60_000
const RESULTS = join(ROOT, 'bench/.out/results.json')

const readJson = async (path) => JSON.parse(await readFile(path, 'utf8'))

/** Installed versions by SDK name; '3.8.8 + 6.1.1' for a column made of two packages. */
async function versions() {
  const installed = (name) => readJson(join(ROOT, 'node_modules', name, 'package.json')).then((pkg) => pkg.version, () => 'not installed')
  const own = (await readJson(join(ROOT, 'package.json'))).version
  const found = Object.fromEntries(SDKS.filter((sdk) => !sdk.pkgs).map((sdk) => [sdk.name, own]))
  for (const sdk of SDKS.filter((s) => s.pkgs)) found[sdk.name] = (await Promise.all(sdk.pkgs.map(installed))).join(' + ')
  return found
}

// Backstop: each phase has its own time limit, so this only fires if something unforeseen hangs.
setTimeout(() => {
  console.error(`bench: still running after ${TIME_LIMIT_MS / 60_000} minutes; giving up`)
  process.exit(1)
}, TIME_LIMIT_MS).unref()

const results = {
  date: new Date().toISOString(),
  machine: describeMachine(),
  versions: await versions(),
  settings: { tokenCalls: TOKEN_CALLS, tokenRuns: TOKEN_RUNS, startUpRuns: START_UP_RUNS, startUpAppMs: START_UP_APP_MS, tabs: TABS, refreshes: REFRESHES },
  sizes: await measureSizes(SDKS),
  browser: await measureInBrowser(SDKS.filter((sdk) => sdk.browser)),
}
await mkdir(join(ROOT, 'bench/.out'), { recursive: true })
await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`)
console.log(formatTable(results))
console.log(`\nRaw figures: ${RESULTS}`)

for (const [scenario, outcome] of [
  ['token expiring', results.browser.results['pixie-auth'].expiringTabs],
  ['forced refresh', results.browser.results['pixie-auth'].sharedSession?.forcedRefresh],
  ['forced refresh, token isolation', results.browser.results['pixie-auth-isolation']?.sharedSession?.forcedRefresh],
]) {
  if (outcome?.tokenRequests !== 1) {
    console.error(`bench: pixie-auth sent ${outcome?.tokenRequests ?? 'no figure for'} token requests for ${TABS} tabs (${scenario}); expected 1`)
    process.exitCode = 1
  }
}
