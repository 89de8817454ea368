// The package's own entry points as users import them: every JavaScript subpath in package.json
// "exports", with peer dependencies (React, Vue) left out of the bundle as an app would already have
// them. Each is the core (`.`), a framework binding, or a feature: any other subpath, so a feature
// joins the figures as soon as it is exported.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './bundle-size.mjs'

/** Subpaths that bind the SDK to a framework; every other non-root subpath is a feature. */
const BINDINGS = new Set(['./react', './vue'])

/** The file a browser bundler picks for an export target (condition objects may nest). */
function importTarget(target) {
  if (typeof target === 'string') return target
  if (!target || typeof target !== 'object') return undefined
  for (const condition of ['browser', 'import', 'default']) {
    const found = importTarget(target[condition])
    if (found) return found
  }
  return undefined
}

const kindOf = (subpath) => (subpath === '.' ? 'core' : BINDINGS.has(subpath) ? 'binding' : 'feature')

/**
 * `[{ name, subpath, kind, file, built, contents, external }]`, one per JavaScript export of
 * package.json, in its order; `kind` is 'core', 'feature' or 'binding'.
 */
export function packageEntries() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const peers = Object.keys({ ...pkg.peerDependencies })
  const external = peers.flatMap((name) => [name, `${name}/*`])
  return Object.entries(pkg.exports)
    .map(([subpath, target]) => ({ subpath, file: importTarget(target) }))
    .filter(({ file }) => /\.m?js$/.test(file ?? ''))
    .map(({ subpath, file }) => {
      const name = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`
      return { name, subpath, kind: kindOf(subpath), file, built: existsSync(join(ROOT, file)), contents: `export * from '${name}'`, external }
    })
}
