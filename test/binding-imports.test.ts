// The framework bindings stay small: they reach the core only, never a feature module (DPoP, PAR,
// popup, fetch...), which an app imports from its own entry when it wants it.
import { readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Every source file `entry` imports, directly or not (relative imports; `.js` specifiers name `.ts` files). */
function importGraph(entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    for (const [, specifier] of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
    }
    for (const [, specifier] of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
    }
  }
  visit(resolve(root, entry))
  return [...seen].map((file) => relative(root, file))
}

describe('the bindings', () => {
  it.each(['src/bindings/react/index.ts', 'src/bindings/vue/index.ts'])('%s imports no feature module', (entry) => {
    const files = importGraph(entry)
    // The walk found the core through the binding (else it proves nothing).
    expect(files).toContain('src/core/client.ts')
    expect(files.filter((file) => !file.startsWith('src/core/') && !file.startsWith('src/bindings/') && file !== 'src/index.ts')).toEqual([])
  })
})
