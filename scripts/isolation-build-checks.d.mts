// Types of isolation-build-checks.mjs for test/isolation-build-checks.test.ts.
/** Failures for dist/isolation.js's source: each worker constructor must take the literal URL. */
export function workerUrlFailures(entrySource: string): string[]
/** Failures for dist/isolation-worker.js's source: one classic-script IIFE. */
export function workerScriptFailures(workerSource: string): string[]
