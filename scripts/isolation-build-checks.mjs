// What token isolation needs of the built package, checked by scripts/check-pack.mjs: the entry keeps
// the worker's URL as the literal bundlers recognise (Vite, webpack 5, Next.js emit the worker only
// from `new SharedWorker(new URL('./…', import.meta.url))` / `new Worker(…)` written out in full),
// and the worker is one classic script, since webpack without `output.module` starts it as one and
// a bundler that copies it as a plain asset keeps it as it is.
import { Script } from 'node:vm'

const WORKER_URL = String.raw`new URL\((["'])\./isolation-worker\.js\1, import\.meta\.url\)`
const CONSTRUCTORS = ['SharedWorker', 'Worker']

/** Failures for dist/isolation.js's source: each worker constructor must still take the literal URL. */
export function workerUrlFailures(entrySource) {
  return CONSTRUCTORS.filter((name) => !new RegExp(String.raw`new ${name}\(${WORKER_URL}`).test(entrySource)).map(
    (name) => `dist/isolation.js lacks \`new ${name}(new URL("./isolation-worker.js", import.meta.url)\`: bundlers would not emit the worker`,
  )
}

/**
 * Failures for dist/isolation-worker.js's source. It must compile as a classic script (no `import`
 * or `export` statement, no `import.meta`, no `await` outside a function), and be one IIFE, as
 * scripts/build-worker.mjs makes it: nothing else at the top level.
 */
export function workerScriptFailures(workerSource) {
  const failures = []
  try {
    new Script(workerSource, { filename: 'dist/isolation-worker.js' })
  } catch (error) {
    failures.push(`dist/isolation-worker.js is not a classic script (${error.message})`)
  }
  const code = workerSource.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '').trim()
  if (!/^"use strict";\(\(\)=>\{[^]*\}\)\(\);$/.test(code)) failures.push('dist/isolation-worker.js is not one IIFE (esbuild format "iife")')
  return failures
}
