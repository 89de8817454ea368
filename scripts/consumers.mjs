// `npm run test:consumers`: tests the package a user installs. Packs a fresh clone of this
// repository's HEAD (`npm ci && npm pack`, so `prepack` must build dist/), runs
// `npm publish --dry-run` on the tarball, then installs it into five consumer apps (consumers/:
// Vite + TypeScript, React, Vue, Next.js, and webpack 5 building the Vite + TypeScript app's source;
// those two and Next.js use token isolation, whose worker the bundler must emit unconfigured) and in each: renders on the server under Node
// (ssr-check.mjs, which imports every feature entry), then for the Vite apps type-checks with
// moduleResolution bundler and node16 and builds with vite, for the Next.js app runs `next build`
// (which type-checks, and prerenders a server layout rendering <AuthProvider>); each app imports
// `pixie-auth/fetch` beside its core or binding entry. Finally it logs in once and calls an API in
// Chromium in each built app, and in the Vite + TypeScript app under `vite dev` (consumers/login.spec.ts). Every step has a time limit. Only the npm
// registry is used; the app dependencies are pinned to package-lock.json's versions (already in
// npm's cache after `npm ci`), and `next` to the version consumers/next/package.json names.
// `--app=next,react` runs only those apps; `--keep` keeps the temporary folder; `--no-login` skips
// the browser step (then: CONSUMERS_DIR=<folder> npx playwright test -c consumers/playwright.config.ts).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transformSync } from 'esbuild'

// Without a trailing slash: git matches safe.directory against the path as given ('repo//.git' fails).
const repo = resolve(fileURLToPath(new URL('..', import.meta.url)))
const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'))
const locked = (name) => `${name}@${lock.packages[`node_modules/${name}`].version}`

const VITE = ['vite', 'typescript']
const REACT = ['react', 'react-dom', '@types/react', '@types/react-dom']
/**
 * Per app: its dependencies from package-lock.json (beside the tarball, and those its own
 * package.json lists), the server-side renders, the files of consumers/ it shares with other apps
 * (copied to its root), and how it is checked and built.
 */
const APPS = {
  vanilla: { deps: VITE, ssr: ['core'], build: (app) => viteBuild(app, 'tsc') },
  react: { deps: [...VITE, ...REACT, '@vitejs/plugin-react'], ssr: ['core', 'react'], shared: ['api.tsx'], build: (app) => viteBuild(app, 'tsc') },
  vue: { deps: [...VITE, 'vue', '@vitejs/plugin-vue', 'vue-tsc'], ssr: ['core', 'vue'], build: (app) => viteBuild(app, 'vue-tsc') },
  // @types/node: `next build` would install it itself otherwise.
  next: { deps: ['typescript', ...REACT, '@types/node'], ssr: ['core', 'react'], shared: ['api.tsx'], build: nextBuild },
  webpack: { deps: ['webpack', 'webpack-cli'], ssr: ['core'], build: webpackBuild },
}
/** `--app=next,react`: only those apps; default all. */
const appOption = process.argv.find((arg) => arg.startsWith('--app='))
const selected = appOption ? appOption.slice('--app='.length).split(',') : Object.keys(APPS)
const unknownApps = selected.filter((name) => !Object.hasOwn(APPS, name))
if (unknownApps.length) {
  console.error(`consumers: no app ${unknownApps.join(', ')} (apps: ${Object.keys(APPS).join(', ')})`)
  process.exit(2)
}
/** Next.js's anonymous usage reports stay off in every step that runs it. */
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1' }
/** Every file package.json's `exports` points to: the core entry, the feature entries (`./dpop`...) and the bindings, each with its types. */
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
const REQUIRED_IN_TARBALL = Object.values(manifest.exports)
  .flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)))
  .map((file) => `package/${file.replace(/^\.\//, '')}`)

const started = Date.now()
const work = mkdtempSync(join(tmpdir(), 'pixie-consumers-'))
const keep = process.argv.includes('--keep')

/** Runs a command, inheriting the output; throws when it fails or passes `minutes`. */
function run(command, args, { cwd = work, minutes = 3, env } = {}) {
  const where = cwd.startsWith(`${work}/`) ? `(${cwd.slice(work.length + 1)}) ` : ''
  console.log(`--- [${Math.round((Date.now() - started) / 1000)}s] ${where}${command.replace(`${cwd}/`, '')} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', timeout: minutes * 60_000, killSignal: 'SIGKILL', env: { ...process.env, ...env } })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`)
}

const npmQuiet = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']

function packFreshClone() {
  const clone = join(work, 'clone')
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' })
  if (status.status !== 0) throw new Error(`this packs a git clone, and needs git and a git checkout (${status.error?.message ?? status.stderr.trim()})`)
  if (status.stdout.trim()) console.warn('consumers: uncommitted changes are not packed: this packs a clone of HEAD')
  run('git', ['clone', '--quiet', '--no-hardlinks', repo, clone], { minutes: 1 })
  run('git', ['log', '-1', '--format=packing %h %s'], { cwd: clone, minutes: 1 })
  run('npm', ['ci', ...npmQuiet], { cwd: clone, minutes: 6 })
  // Lifecycle scripts print to stdout, so the tarball is found by name rather than from --json.
  run('npm', ['pack', '--pack-destination', work], { cwd: clone, minutes: 3 })
  const filename = readdirSync(work).find((file) => file.endsWith('.tgz'))
  const tarball = join(work, filename)
  const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n')
  const missing = REQUIRED_IN_TARBALL.filter((path) => !listing.includes(path))
  if (missing.length) throw new Error(`${filename} lacks ${missing.join(', ')}`)
  console.log(`${filename}: ${listing.filter(Boolean).length} files, with dist/ built by prepack`)
  return tarball
}

const bin = (app, tool) => join(app, 'node_modules', '.bin', tool)

/** A Vite app: type-checks with moduleResolution bundler and node16, then `vite build`. */
function viteBuild(app, tsc) {
  const entry = existsSync(join(app, 'src', 'main.tsx')) ? 'main.tsx' : 'main.ts'
  // An empty icon: without one, the browser's request for /favicon.ico logs a 404 console error.
  writeFileSync(
    join(app, 'index.html'),
    `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${basename(app)}</title></head>\n<body><div id="app"></div><script type="module" src="/src/${entry}"></script></body>\n</html>\n`,
  )
  run(bin(app, tsc), ['-p', '.'], { cwd: app, minutes: 2 })
  run(bin(app, tsc), ['-p', '.', '--module', 'node16', '--moduleResolution', 'node16'], { cwd: app, minutes: 2 })
  run(bin(app, 'vite'), ['build', '--logLevel', 'warn'], { cwd: app, minutes: 2 })
}

/** The Next.js app: `next build` type-checks, bundles, and prerenders every page on the server. */
function nextBuild(app) {
  run(bin(app, 'next'), ['build'], { cwd: app, minutes: 5, env: NEXT_ENV })
}

/**
 * The webpack app: the vanilla app's source with its types stripped (webpack alone reads no
 * TypeScript), built twice by consumers/webpack/webpack.config.js; then a page for each build. The
 * relative build's page has a `<base href>` to a folder the build did not write (R7).
 */
function webpackBuild(app) {
  const source = readFileSync(join(repo, 'consumers/vanilla/src/main.ts'), 'utf8')
  mkdirSync(join(app, 'src'))
  writeFileSync(join(app, 'src/main.js'), transformSync(source, { loader: 'ts', target: 'es2022' }).code)
  run(bin(app, 'webpack'), ['--no-color'], { cwd: app, minutes: 4 })
  const page = (head, script) =>
    `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><link rel="icon" href="data:,">${head}<title>webpack</title></head>\n<body><div id="app"></div><script src="${script}"></script></body>\n</html>\n`
  writeFileSync(join(app, 'dist/index.html'), page('', '/main.js'))
  writeFileSync(join(app, 'dist/relative/index.html'), page('<base href="/uploads/">', '/relative/main.js'))
}

function installApp(name, tarball) {
  const app = join(work, name)
  cpSync(join(repo, 'consumers', name), app, { recursive: true })
  const { deps, ssr, shared = [], build } = APPS[name]
  for (const file of ['ssr-check.mjs', ...shared]) cpSync(join(repo, 'consumers', file), join(app, file))
  // The app's own package.json, if it has one, names what package-lock.json does not pin (next).
  const own = join(app, 'package.json')
  const manifest = existsSync(own) ? JSON.parse(readFileSync(own, 'utf8')) : {}
  writeFileSync(own, JSON.stringify({ ...manifest, name: `consumer-${name}`, private: true, type: 'module' }, null, 2))
  run('npm', ['install', ...npmQuiet, tarball, ...deps.map(locked)], { cwd: app, minutes: 4, env: NEXT_ENV })
  run('node', ['ssr-check.mjs', ...ssr], { cwd: app, minutes: 1 })
  build(app)
}

try {
  const tarball = packFreshClone()
  run('npm', ['publish', '--dry-run', tarball], { minutes: 2 })
  for (const name of selected) installApp(name, tarball)
  const login = !process.argv.includes('--no-login')
  const env = { CONSUMERS_DIR: work, CONSUMER_APPS: selected.join(','), ...NEXT_ENV }
  if (login) run('npx', ['--no', 'playwright', 'test', '-c', 'consumers/playwright.config.ts'], { cwd: repo, minutes: 5, env })
  console.log(`\nconsumers: packed, published (dry run), installed, rendered on the server, type-checked, built${login ? ' and logged in' : ''}, in ${Math.round((Date.now() - started) / 1000)} s`)
} catch (error) {
  console.error(`\nconsumers: FAILED: ${error.message}`)
  process.exitCode = 1
} finally {
  if (keep || !existsSync(work)) console.log(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
