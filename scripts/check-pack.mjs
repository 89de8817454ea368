// `npm run check:pack`: what `npm publish` would ship is dist/**, package.json, README.md, LICENSE
// and the local provider (`npx pixie-auth-provider`: its command and the mock's modules, Node
// built-ins only), and nothing else (no sources, tests, bench pages or stray files).
import { execFileSync } from 'node:child_process'

const ALLOWED = [/^dist\//, /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^bin\/pixie-auth-provider\.mjs$/, /^e2e\/provider\/[a-z-]+\.mjs$/]
const REQUIRED = ['package.json', 'README.md', 'LICENSE', 'bin/pixie-auth-provider.mjs', 'e2e/provider/mock-provider.mjs']

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
const files = pack.files.map((file) => file.path)
const unexpected = files.filter((path) => !ALLOWED.some((pattern) => pattern.test(path)))
const missing = REQUIRED.filter((path) => !files.includes(path))
const hasDist = files.some((path) => path.startsWith('dist/'))

console.log(`${pack.filename}: ${files.length} files, ${pack.size} B packed, ${pack.unpackedSize} B unpacked`)
for (const path of unexpected) console.log(`FAIL: ${path} would be published`)
for (const path of missing) console.log(`FAIL: ${path} would be missing`)
if (!hasDist) console.log('FAIL: no dist/ files (run `npm run build` first)')
if (unexpected.length || missing.length || !hasDist) process.exitCode = 1
