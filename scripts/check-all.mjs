// `npm run check`: the size budget, the package contents, the API docs, the imports, the README's
// code and the Markdown links. Runs all even when one fails, so a single CI run shows every
// problem; fails if any failed.
import { spawnSync } from 'node:child_process'

const CHECKS = ['check:size', 'check:package', 'check:docs', 'check:imports', 'check:readme', 'check:links']

const failed = CHECKS.filter((script) => spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit' }).status !== 0)
console.log(failed.length ? `\ncheck: FAILED ${failed.join(', ')}` : '\ncheck: size, package, docs, imports, README code and links all pass')
if (failed.length) process.exitCode = 1
