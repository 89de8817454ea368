// What the core entry is made of, for `npm run check:size`: its bytes by source module, and the
// bytes each oauth4webapi export brings. Two honest measures, each labelled where printed:
// - by module: esbuild's metafile gives each input's exact share of the minified bundle (bundled
//   from the entry's TypeScript source, whose total is printed beside the built entry's); gzip
//   works on the whole file, so a module's gzip bytes are its minified share of the gzip total;
// - by oauth4webapi export: the gzip -9 size of a bundle of every oauth4webapi export the core uses,
//   minus the same bundle without that one export. Code shared by several exports (the response
//   checks, the JWT parsing) belongs to none of them alone and is printed as "shared". Beside it,
//   each export bundled alone (which counts the shared code again for every export using it), and
//   what each adds when they are bundled one after the other, largest alone first (the shared code
//   then counts once, for the first export that needs it; these add up to the total).
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ROOT } from './bundle-size.mjs'

const O4W = 'oauth4webapi'
const MARKER = 'pixie-auth-breakdown:'

const bundle = (options) =>
  build({ absWorkingDir: ROOT, bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent', ...options })

const gzipBytes = (code) => gzipSync(code, { level: 9 }).length

/** The TypeScript source an entry was built from: dist/x/index.js → src/x/index.ts. */
export function sourceOf(file) {
  const source = file.replace(/^(\.\/)?dist\//, 'src/').replace(/\.m?js$/, '.ts')
  return existsSync(join(ROOT, source)) ? source : undefined
}

/** The package a module comes from (`oauth4webapi`), or its folder in this repo (`src/react`). */
const groupOf = (path) => path.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? path.replace(/\/[^/]*$/, '')

function groupTotals(modules) {
  const totals = new Map()
  for (const { path, minified, gzip } of modules) {
    const total = totals.get(groupOf(path)) ?? { group: groupOf(path), minified: 0, gzip: 0 }
    totals.set(total.group, { ...total, minified: total.minified + minified, gzip: total.gzip + gzip })
  }
  return [...totals.values()].sort((a, b) => b.minified - a.minified)
}

/** Minified bytes by input file, largest first, with each one's pro-rata share of the gzip total. */
async function byModule(source, external) {
  const { outputFiles, metafile } = await bundle({ entryPoints: [source], minify: true, external, metafile: true })
  const code = outputFiles[0].contents
  const gzip = gzipBytes(code)
  const [output] = Object.values(metafile.outputs)
  const modules = Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path: relative(ROOT, join(ROOT, path)), minified: bytesInOutput }))
    .filter((module) => module.minified > 0)
    .sort((a, b) => b.minified - a.minified)
    .map((module) => ({ ...module, gzip: Math.round((module.minified / code.length) * gzip) }))
  return { minified: code.length, gzip, modules, groups: groupTotals(modules) }
}

/**
 * The oauth4webapi exports the core's bundle keeps: oauth4webapi is swapped for a module of one
 * marked function per export, and esbuild's tree shaking (the same that sizes the entry) leaves the
 * markers of those used.
 */
async function usedExports(source, external, names) {
  const probe = {
    name: 'oauth4webapi-probe',
    setup(builder) {
      builder.onResolve({ filter: /^oauth4webapi$/ }, () => ({ path: O4W, namespace: 'probe' }))
      builder.onLoad({ filter: /.*/, namespace: 'probe' }, () => ({
        contents: names.map((name) => `export function ${name}() { return '${MARKER}${name}' }`).join('\n'),
        loader: 'js',
      }))
    },
  }
  const { outputFiles } = await bundle({ entryPoints: [source], external, plugins: [probe] })
  const found = new Set([...outputFiles[0].text.matchAll(new RegExp(`${MARKER}(\\w+)`, 'g'))].map((match) => match[1]))
  return names.filter((name) => found.has(name))
}

async function exportsBundleGzip(names) {
  const contents = names.length ? `export { ${names.join(', ')} } from '${O4W}'` : ''
  const { outputFiles } = await bundle({ stdin: { contents, resolveDir: ROOT, loader: 'js' }, minify: true })
  return gzipBytes(outputFiles[0].contents)
}

/** Gzip bytes each used oauth4webapi export adds to a bundle of all of them (and alone, and in order), largest first. */
async function byO4wExport(source, external) {
  const names = Object.keys(await import(O4W)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name))
  const used = await usedExports(source, external, names)
  const total = await exportsBundleGzip(used)
  const exports = []
  for (const name of used) {
    const without = await exportsBundleGzip(used.filter((other) => other !== name))
    exports.push({ name, gzip: total - without, alone: await exportsBundleGzip([name]) })
  }
  exports.sort((a, b) => b.alone - a.alone)
  let before = 0
  for (const [index, entry] of exports.entries()) {
    const upTo = await exportsBundleGzip(exports.slice(0, index + 1).map(({ name }) => name))
    entry.inOrder = upTo - before
    before = upTo
  }
  exports.sort((a, b) => b.gzip - a.gzip)
  return { total, exports, shared: total - exports.reduce((sum, { gzip }) => sum + gzip, 0) }
}

/** `{ source, modules: { minified, gzip, modules }, o4w: { total, exports, shared } }` for one entry. */
export async function breakdown(entry) {
  const source = sourceOf(entry.file)
  if (!source) return { error: `no TypeScript source found for ${entry.file}` }
  return { source, modules: await byModule(source, entry.external), o4w: await byO4wExport(source, entry.external) }
}
