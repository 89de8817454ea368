// `prepare` (npm runs it after `npm install`/`npm ci` in this folder, when installing pixie-auth
// from a git URL, and before packing): builds dist/ when it is missing, so a git install gets the
// code. An existing dist/ is kept: `prepack` rebuilds it from the sources before every pack and
// publish (so packing never builds twice), and `npm test` builds it too. In a fresh clone, `npm ci`
// costs one build (about 3 s).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' })
}
