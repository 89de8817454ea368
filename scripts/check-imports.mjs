// `npm run check:imports`: the architecture of src/, as the folders show it. Fails on an import
// cycle between modules (type-only imports included: they are a cycle for a reader all the same),
// and on an import against the direction the layers allow:
//   src/core/      imports only src/core/ (and the two dependencies): the facade calls the parts;
//   src/features/  imports src/core/ and src/features/: a feature reaches the core, never the reverse;
//   src/bindings/  imports the core and its own folder: the bindings stay thin and free of features;
//   src/*.ts       the package's entries, re-exporting one layer each (src/index.ts: the core).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SRC = join(ROOT, 'src')

const files = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name)
  return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : []
})

/** The src/ modules each module imports (static, dynamic and type-only), by path relative to src/. */
const graph = new Map()
for (const file of files(SRC)) {
  const text = readFileSync(file, 'utf8')
  const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map(([, spec]) =>
    relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'),
  )
  graph.set(relative(SRC, file), targets)
}

// src/index.ts is the core's entry: it re-exports src/core/ alone.
const layer = (path) => (path === 'index.ts' ? 'core' : path.includes('/') ? path.split('/')[0] : 'entry')
const allowed = { core: ['core'], features: ['core', 'features'], bindings: ['core', 'bindings'], entry: ['core', 'features', 'bindings'] }
const problems = []
for (const [from, targets] of graph) {
  for (const to of targets) {
    if (!allowed[layer(from)].includes(layer(to))) problems.push(`${from} imports ${to}: ${layer(from)} may import only ${allowed[layer(from)].join(', ')}`)
  }
}

// Depth-first search; a module met again while still on the path closes a cycle.
const state = new Map()
const visit = (path, trail) => {
  if (state.get(path) === 'done') return
  if (state.get(path) === 'open') {
    problems.push(`import cycle: ${[...trail.slice(trail.indexOf(path)), path].join(' -> ')}`)
    return
  }
  state.set(path, 'open')
  for (const next of graph.get(path) ?? []) visit(next, [...trail, path])
  state.set(path, 'done')
}
for (const path of graph.keys()) visit(path, [])

for (const problem of problems) console.log(`FAIL: ${problem}`)
console.log(`${graph.size} modules: ${problems.length ? `${problems.length} import problems` : 'no import cycles, every import in its layer\'s direction'}`)
if (problems.length) process.exitCode = 1
