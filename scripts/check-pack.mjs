// `npm run check:pack`: what `npm publish` would ship is dist/**, the TypeScript sources src/**
// (which the declaration maps point to), package.json, README.md, LICENSE, the Markdown the README
// links (docs/*.md, SECURITY.md, CHANGELOG.md) and the local provider
// (`npx pixie-auth-provider`: its command and the mock's modules, Node built-ins only), and nothing
// else (no tests, bench pages or stray files). Also: no script that runs when the package is
// installed; every declaration map points at files in the package; the React binding starts with
// 'use client', so a Next.js server layout can render <AuthProvider>; token isolation's entry names
// its worker as bundlers need, and the worker, in the package, is one classic script
// (isolation-build-checks.mjs).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { workerScriptFailures, workerUrlFailures } from './isolation-build-checks.mjs'

const ALLOWED = [
  /^dist\//,
  /^src\/.*\.ts$/,
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/pixie-auth-provider\.mjs$/,
  // The README's links: docs/, the threat model and the changelog, readable from node_modules.
  /^docs\/[\w-]+\.md$/,
  /^SECURITY\.md$/,
  /^CHANGELOG\.md$/,
  /^e2e\/provider\/[a-z-]+\.mjs$/,
]
const REQUIRED = ['package.json', 'README.md', 'LICENSE', 'bin/pixie-auth-provider.mjs', 'e2e/provider/mock-provider.mjs', 'dist/isolation-worker.js']
/** Lifecycle scripts npm runs on the machine that installs the package (`prepare`: from a git URL). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare']
/** Entries that React Server Components must treat as client code (vite.config.ts adds the banner). */
const CLIENT_ENTRIES = ['./react']

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
const files = pack.files.map((file) => file.path)
const manifest = JSON.parse(readFileSync('package.json', 'utf8'))
const failures = [
  ...files.filter((path) => !ALLOWED.some((pattern) => pattern.test(path))).map((path) => `${path} would be published`),
  ...REQUIRED.filter((path) => !files.includes(path)).map((path) => `${path} would be missing`),
  ...(files.some((path) => path.startsWith('dist/')) ? [] : ['no dist/ files (run `npm run build` first)']),
  ...INSTALL_SCRIPTS.filter((name) => manifest.scripts?.[name]).map((name) => `scripts.${name} would run where the package is installed`),
  ...files.filter((path) => path.endsWith('.d.ts.map')).flatMap(missingSources),
  ...CLIENT_ENTRIES.map((entry) => normalize(manifest.exports[entry].default))
    .filter((file) => existsSync(file) && !/^(['"])use client\1;?\n/.test(readFileSync(file, 'utf8')))
    .map((file) => `${file} does not start with the 'use client' directive`),
  ...builtFailures('dist/isolation.js', workerUrlFailures),
  ...builtFailures('dist/isolation-worker.js', workerScriptFailures),
]

/** `check(source)` of a built file, or that it is missing. */
function builtFailures(file, check) {
  return existsSync(file) ? check(readFileSync(file, 'utf8')) : [`${file} was not built (run \`npm run build\` first)`]
}

/** The sources a declaration map names that the package would not hold: "go to definition" would fail. */
function missingSources(map) {
  const { sources } = JSON.parse(readFileSync(map, 'utf8'))
  return sources.map((source) => normalize(join(dirname(map), source))).filter((path) => !files.includes(path)).map((path) => `${map} points at ${path}, not in the package`)
}

console.log(`${pack.filename}: ${files.length} files, ${pack.size} B packed, ${pack.unpackedSize} B unpacked`)
for (const failure of failures) console.log(`FAIL: ${failure}`)
if (failures.length) process.exitCode = 1
