import * as esbuild from 'esbuild'
const r = await esbuild.build({ entryPoints: ['src/index.ts'], bundle: true, minify: true, format: 'esm', write: false, external: ['oauth4webapi','idb-keyval'] })
const out = r.outputFiles[0].text
console.log('ours min', out.length)
const strs = [...out.matchAll(/`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g)].map(m=>m[0]).filter(s=>s.length>25)
let total=0; for (const s of strs) total+=s.length
console.log('long strings', strs.length, total)
for (const s of strs.sort((a,b)=>b.length-a.length).slice(0,80)) console.log(s.length, s.slice(0,140))
