// `npm run check:pack`: what `npm publish` would ship is dist/**, package.json, README.md and
// LICENSE, and nothing else (no sources, tests, bench pages or stray files). The React binding
// starts with 'use client', so a Next.js server layout can render <AuthProvider>.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

const ALLOWED = [/^dist\//, /^package\.json$/, /^README\.md$/, /^LICENSE$/]
const REQUIRED = ['package.json', 'README.md', 'LICENSE']

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
const files = pack.files.map((file) => file.path)
const unexpected = files.filter((path) => !ALLOWED.some((pattern) => pattern.test(path)))
const missing = REQUIRED.filter((path) => !files.includes(path))
const hasDist = files.some((path) => path.startsWith('dist/'))

console.log(`${pack.filename}: ${files.length} files, ${pack.size} B packed, ${pack.unpackedSize} B unpacked`)
for (const path of unexpected) console.log(`FAIL: ${path} would be published`)
for (const path of missing) console.log(`FAIL: ${path} would be missing`)
if (!hasDist) console.log('FAIL: no dist/ files (run `npm run build` first)')

/** Entries that React Server Components must treat as client code (vite.config.ts adds the banner). */
const CLIENT_ENTRIES = ['./react']
const manifest = JSON.parse(readFileSync('package.json', 'utf8'))
const notClient = CLIENT_ENTRIES.map((entry) => manifest.exports[entry].default).filter(
  (file) => existsSync(file) && !/^(['"])use client\1;?\n/.test(readFileSync(file, 'utf8')),
)
for (const file of notClient) console.log(`FAIL: ${file} does not start with the 'use client' directive`)

if (unexpected.length || missing.length || !hasDist || notClient.length) process.exitCode = 1
