// Serves a built consumer app's folder (the webpack app's dist/) on localhost:<port>, as a static
// host would: `node serve.mjs <folder> <port>`; a path ending in '/' gets that folder's index.html.
import { readFile } from 'node:fs/promises'
import { join, normalize } from 'node:path'
import { startPageServer } from '../bench/page-server.mjs'

const [root, port] = process.argv.slice(2)

/** index.html for folder paths; other paths go on to the page server's files. */
async function folderIndex(req, res) {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://localhost').pathname))
  if (!path.endsWith('/') || path.includes('..')) return false
  const body = await readFile(join(root, path, 'index.html'))
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body)
  return true
}

await startPageServer({ port: Number(port), root, extraRoutes: folderIndex })
console.log(`serving ${root} on http://localhost:${port}/`)
