// scripts/isolation-build-checks.mjs, run by `npm run check:package`: each check passes the files
// the build makes and fails each way the worker could stop loading unconfigured.
import { describe, expect, it } from 'vitest'
import { workerScriptFailures, workerUrlFailures } from '../scripts/isolation-build-checks.mjs'

const literal = (name: string, quote = '"') => `const w = new ${name}(new URL(${quote}./isolation-worker.js${quote}, import.meta.url), { type: "module" })`
const iife = (body: string) => `"use strict";(()=>{${body}})();\n//# sourceMappingURL=isolation-worker.js.map\n`

describe('workerUrlFailures', () => {
  it('passes both constructors with the literal, in either quotes', () => {
    expect(workerUrlFailures(`${literal('SharedWorker')}\n${literal('Worker', "'")}`)).toEqual([])
  })
  it('fails when a constructor lost the literal (a variable, a bundled URL, another file)', () => {
    expect(workerUrlFailures(`${literal('SharedWorker')}\nconst u = new URL("./isolation-worker.js", import.meta.url); new Worker(u)`)).toHaveLength(1)
    expect(workerUrlFailures(`new SharedWorker(new URL("/assets/isolation-worker-abc.js", import.meta.url))\n${literal('Worker')}`)).toHaveLength(1)
    expect(workerUrlFailures('')).toHaveLength(2)
  })
})

describe('workerScriptFailures', () => {
  it('passes an esbuild IIFE', () => {
    expect(workerScriptFailures(iife('self.onconnect=()=>{};async function f(){await 1}'))).toEqual([])
  })
  it('fails import and export statements, import.meta, top-level await, anything beside the IIFE', () => {
    expect(workerScriptFailures(`import "x";\n${iife('')}`)).not.toEqual([])
    expect(workerScriptFailures(iife('export const a=1'))).not.toEqual([])
    expect(workerScriptFailures(iife('console.log(import.meta.url)'))).not.toEqual([])
    expect(workerScriptFailures(`await fetch("x");\n${iife('')}`)).not.toEqual([])
    expect(workerScriptFailures(`${iife('')}self.x=1;`)).not.toEqual([])
  })
})
