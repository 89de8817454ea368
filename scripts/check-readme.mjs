// `npm run check:readme`: every `ts` and `tsx` code block of README.md compiles as written. Each
// block becomes a module of its own, type-checked with the project's compiler options, `pixie-auth`
// resolving to the sources (tsconfig.json `paths`). A block whose first line is a file name comment
// (`// app/layout.tsx`) is written at that path, beside the other named blocks of its `##` section,
// so one file of a guide can import another. A block right after the line
// `<!-- readme-check: skip (why) -->` is left out; say why. Errors name the README's lines.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { codeBlocks } from './readme-check/blocks.mjs'

const root = resolve(import.meta.dirname, '..')
const out = join(root, '.cache', 'readme-check')
const FILE_NAME = /^\/\/ ([\w./-]+\.tsx?)\b/

/** Where a block is written: its own file name in its section's folder, or a numbered module. */
function fileFor(block, index) {
  const named = FILE_NAME.exec(block.code)
  return named ? join(block.section, named[1]) : `block-${index + 1}.${block.lang}`
}

const blocks = codeBlocks(readFileSync(join(root, 'README.md'), 'utf8'))
rmSync(out, { recursive: true, force: true })
const files = blocks.map((block, index) => {
  const file = fileFor(block, index)
  mkdirSync(dirname(join(out, file)), { recursive: true })
  // `export {}` makes every block a module, so blocks neither share names nor lose top-level await.
  writeFileSync(join(out, file), `${block.code}\nexport {}\n`)
  return { file, block }
})
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: { noUnusedLocals: false },
    include: ['**/*.ts', '**/*.tsx', '../../scripts/readme-check/shims.d.ts'],
  }),
)

try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(out, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: out,
    encoding: 'utf8',
  })
  console.log(`README.md: ${blocks.length} ts/tsx blocks type-check`)
} catch (error) {
  // tsc names the written file and line: name the README's line instead.
  const readmeLine = (file, line) => files.find((entry) => entry.file === file)?.block.line + Number(line) - 1
  const output = String(error.stdout).replace(/^([\w./-]+\.tsx?)\((\d+),(\d+)\)/gm, (match, file, line, column) => {
    const at = readmeLine(file, line)
    return Number.isNaN(at) ? match : `README.md:${at}:${column} (${file})`
  })
  console.log(output)
  console.log('FAIL: README code blocks do not type-check (errors above)')
  process.exitCode = 1
}
