// Formats the bench results as one plain-text table: a row per figure, a column per SDK, each
// peer's figure followed by its ratio to pixie-auth's. Notes below say how each row was measured.

const REFERENCE = 'pixie-auth'
const ISOLATION = 'pixie-auth-isolation'

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
const thousands = (n) => Math.round(n).toLocaleString('en-US')

/** A cell: `text`, and `value` when the figure can be compared with pixie-auth's. */
const cell = (text, value) => ({ text, value })
const absent = cell('—')

function errorCell(error, errors) {
  let index = errors.indexOf(error)
  if (index < 0) index = errors.push(error) - 1
  return cell(`n/a [e${index + 1}]`)
}

/** Reads `pick(result)` for SDKs measured in the browser; phase errors become footnoted n/a. */
function browserRow(results, phase, pick, errors) {
  return (name) => {
    const sdk = results.browser.results[name]
    if (!sdk?.[phase]) return absent
    if (sdk[phase].error) return errorCell(sdk[phase].error, errors)
    return pick(sdk[phase])
  }
}

function tabsOutcome(outcome) {
  return cell(String(outcome.tokenRequests), outcome.tokenRequests)
}

function tabsConsequence(outcome) {
  if (outcome.sessionSurvived && outcome.tabsFailed === 0) return cell('all ok')
  const ended = outcome.sessionSurvived ? '' : outcome.reuseDetections ? ', session revoked' : ', session lost'
  return cell(`${outcome.tabsFailed} failed${ended}`)
}

/** A row with a figure for pixie-auth's column `column` only: `size` gzip / brotli, and what it adds over the core. */
function ownRow(label, size, added, column = REFERENCE) {
  const plus = (bytes) => `${bytes < 0 ? '−' : '+'}${kb(Math.abs(bytes))}`
  const text = size.error ? size.error : `${kb(size.gzip)} / ${kb(size.brotli)}${added ? ` (${plus(added.gzip)} / ${plus(added.brotli)})` : ''}`
  return [label, (name) => (name === column ? cell(text) : absent)]
}

/** The core, the core with each feature, everything, then the bindings (see entry-sizes.mjs). */
function entryRows({ core, features, everything, bindings }) {
  return [
    ...(core ? [ownRow(`Entry ${core.name} (core) [2]: gzip / brotli`, core.size)] : []),
    ...features.map((feature) => ownRow(`Core + ${feature.name} [2]`, feature.together, feature.added)),
    ...(features.length ? [ownRow(`Everything: core + ${features.length} features [2]`, everything.size)] : []),
    ...bindings.map((binding) => ownRow(`Entry ${binding.name} [2]`, binding.size)),
  ]
}

function rows(results, errors) {
  const { jobs, entries, worker } = results.sizes
  const job = (key) => (name) => (jobs[name].error ? errorCell(jobs[name].error, errors) : cell(kb(jobs[name][key]), jobs[name][key]))
  const counts = results.settings.refreshes
  const heapAt = (index) => (memory) => {
    const point = memory.points[index]
    if (!point) return cell('not reached')
    return cell(`${kb(point.heapBytes)}${point.refreshes < counts[index] ? ` (${point.refreshes} refreshes)` : ''}`, point.heapBytes)
  }
  const growth = (from, to) => (memory) => {
    const [first, last] = [memory.points[from], memory.points[to]]
    if (!first || !last) return cell('not reached')
    const bytes = last.heapBytes - first.heapBytes
    return cell(`${bytes < 0 ? '−' : '+'}${kb(Math.abs(bytes))}`)
  }
  const row = (phase, pick) => browserRow(results, phase, pick, errors)
  return [
    ['Same job [1]: min + gzip -9', job('gzip')],
    ['Same job [1]: min + brotli', job('brotli')],
    ['Same job [1]: minified', job('minified')],
    ...entryRows(entries),
    ...(worker ? [ownRow('Isolation worker script (dist/isolation-worker.js) [8]: gzip / brotli', worker, undefined, ISOLATION)] : []),
    ['Cached token: calls/s [3]', row('oneTab', (r) => cell(thousands(r.tokenCallsPerSecond.median), r.tokenCallsPerSecond.median))],
    ['Start-up, stored session, from script start: ms [4]', row('sharedSession', (r) => cell(r.startUp.scriptMs.toFixed(1), r.startUp.scriptMs))],
    ['Start-up, state known (getState/subscribe), from script start: ms [4]', row('sharedSession', (r) => cell(r.startUp.stateMs.toFixed(1), r.startUp.stateMs))],
    [`Start-up, app busy ${results.settings.startUpAppMs} ms first: ms [4]`, row('sharedSession', (r) => cell(r.startUpBusy.scriptMs.toFixed(1), r.startUpBusy.scriptMs))],
    [`Start-up, app waits ${results.settings.startUpAppMs} ms first: ms [4]`, row('sharedSession', (r) => cell(r.startUpWaiting.scriptMs.toFixed(1), r.startUpWaiting.scriptMs))],
    ['Start-up, stored session, from navigation: ms [4]', row('sharedSession', (r) => cell(r.startUp.ms.toFixed(1), r.startUp.ms))],
    ['Start-up reads: IndexedDB + Web Storage', row('sharedSession', (r) => cell(`${r.startUp.indexedDbReads} + ${r.startUp.webStorageReads}`))],
    ['Login: requests before + after redirect [5]', row('oneTab', (r) => cell(`${r.login.before.length} + ${r.login.after.length}`, r.login.before.length + r.login.after.length))],
    ['Refresh: requests [5]', row('oneTab', (r) => cell(String(r.refresh.length), r.refresh.length))],
    ['Logout: requests [5]', row('oneTab', (r) => cell(String(r.logout.length), r.logout.length))],
    ['8 tabs, token expiring: token requests [6]', row('expiringTabs', tabsOutcome)],
    ['8 tabs, token expiring: outcome', row('expiringTabs', tabsConsequence)],
    ['8 tabs, forced refresh: token requests [6]', row('sharedSession', (r) => tabsOutcome(r.forcedRefresh))],
    ['8 tabs, forced refresh: outcome', row('sharedSession', (r) => tabsConsequence(r.forcedRefresh))],
    ['8 tabs, forced refresh: ms until all answered [6]', row('sharedSession', (r) => cell(r.forcedRefresh.ms.toFixed(0), r.forcedRefresh.ms))],
    ...counts.map((count, index) => [`Heap after ${count.toLocaleString('en-US')} refreshes [7]`, row('memory', heapAt(index))]),
    ...counts.slice(1).map((count, index) => [
      `Heap growth, ${counts[index].toLocaleString('en-US')} → ${count.toLocaleString('en-US')}`,
      row('memory', growth(index, index + 1)),
    ]),
  ]
}

/** Appends `×ratio` to a peer's cell when both it and pixie-auth's have a comparable value. */
function withRatio(peer, reference) {
  if (peer.value === undefined || !reference.value) return peer.text
  const ratio = peer.value / reference.value
  return `${peer.text} ×${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}`
}

function notes(results) {
  const s = results.settings
  return [
    '×N: the peer\'s figure divided by pixie-auth\'s. KB = 1024 bytes. "—": not measured for that SDK.',
    '[1] redirect login + callback + cached token + forced refresh + logout, written with each SDK (bench/size/<sdk>.js); esbuild bundle, minify, format esm, platform browser; gzip level 9, brotli quality 11.',
    '[2] the package\'s entries as an app imports them (`export *` from each), bundled the same way; peer dependencies (React, Vue) left out. "Core + X": one bundle importing the core and feature X; (+N): what X adds over the core alone. "Everything": the core and every feature in one bundle. Features: every JavaScript export in package.json but the core and the bindings. `npm run check:size` prints what the core is made of, by module and by oauth4webapi export.',
    `[3] median of ${s.tokenRuns} runs of ${s.tokenCalls.toLocaleString('en-US')} awaited calls with a valid token: getAccessToken(), getTokenSilently() (cacheLocation 'memory'), UserManager.getUser() plus an expiry check.`,
    `[4] median of ${s.startUpRuns} reloads of a page with a stored session, until the SDK has said whether the user is signed in (the adapter's start(), then isAuthenticated()). "State known": until the state an app renders from is known (pixie-auth: subscribe() no longer says loading, from its start-up hint; the peers: the same call as above). "From script start": from the first statement of the page's bundle (an esbuild banner that reads performance.now() before any SDK code runs), so it covers the SDK's module code, creating its client and reading its storage, not loading or parsing the bundle. "App busy / waits N ms first": the same, with N ms between creating the client and asking it, included in the figure: the main thread kept busy (a loop, as rendering the first screen), or free (a timer, as awaiting a lazy chunk or a fetch). "From navigation": from navigation start, loading and parsing the page included. Sessions kept where all tabs see them: pixie-auth IndexedDB, auth0-spa-js cacheLocation 'localstorage', oidc-client-ts localStorage.`,
    '[5] requests the mock provider answered, CORS preflights included. auth0-spa-js runs through a same-origin façade with Auth0\'s paths (bench/auth0-facade.mjs), so it has no preflight here; against a real tenant its Auth0-Client header adds one.',
    `[6] ${s.tabs} tabs share one session with a rotating refresh token and need a new access token at the same moment: "expiring" = each asks for a token once its clock has moved into the refresh margin; "forced" = each forces a refresh (getAccessToken({ forceRefresh: true }), getTokenSilently({ cacheMode: 'off' }), signinSilent()), as after an API answered 401. Outcome: how many tabs got an error (see results.json), and whether one more refresh still works ("revoked": the provider detected a refresh token used twice).`,
    '[7] the page\'s JS heap after two forced garbage collections (CDP Runtime.getHeapUsage), after N forced refreshes in a row; auth0-spa-js keeps tokens in a Web Worker whose heap is not counted.',
    `[8] token isolation (pixie-auth-isolation: tokenIsolation(), Bearer): the client's work is done in the SharedWorker pixie-auth ships, so a cached token is a message round trip and start-up waits for the worker's answer. Its worker script is loaded beside the page's bundle (its own file, as the app's bundler emits it; sizes as built, already minified). Its start-up runs keep a second tab open: a Bearer session lives in the worker's memory while a tab of the app is. Not measured: "token expiring" (Playwright's clock does not reach into workers) and the heap rows (forced refreshes are limited to one per 10 s in this mode). "Same job" is the page's bundle only.`,
  ]
}

function requestDetails(results) {
  return Object.entries(results.browser.results)
    .filter(([, sdk]) => !sdk.oneTab.error)
    .map(([name, { oneTab }]) => {
      const list = (requests) => requests.join(', ') || 'none'
      return `${name}: login before redirect: ${list(oneTab.login.before)}; after: ${list(oneTab.login.after)}; refresh: ${list(oneTab.refresh)}; logout: ${list(oneTab.logout)}`
    })
}

export function formatTable(results) {
  const errors = []
  const names = Object.keys(results.sizes.jobs)
  const header = ['', ...names.map((name) => `${name} ${results.versions[name] ?? ''}`.trim())]
  const body = rows(results, errors).map(([label, read]) => {
    const reference = read(REFERENCE)
    return [label, ...names.map((name) => (name === REFERENCE ? reference.text : withRatio(read(name), reference)))]
  })
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((line) => line[column].length)))
  const format = (line) => line.map((text, column) => text.padEnd(widths[column])).join('  ').trimEnd()
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  const m = results.machine
  return [
    `pixie-auth bench, ${results.date}: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Chromium ${results.browser.chromium}, Node ${m.node}`,
    '',
    format(header),
    rule,
    ...body.map(format),
    '',
    ...notes(results),
    ...errors.map((error, index) => `[e${index + 1}] ${error}`),
    '',
    'Requests seen by the provider:',
    ...requestDetails(results),
  ].join('\n')
}
