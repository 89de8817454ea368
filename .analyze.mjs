import * as esbuild from 'esbuild'
import { gzipSync } from 'node:zlib'
const entry = process.argv[2] ?? 'dist/index.js'
const r = await esbuild.build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', write: false, metafile: true, external: ['react','vue','vue-router'] })
const out = r.outputFiles[0].contents
console.log('total gzip', gzipSync(out, {level:9}).length, 'min', out.length)
const ins = Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput)
for (const [k,v] of ins) console.log(String(v.bytesInOutput).padStart(7), k)
