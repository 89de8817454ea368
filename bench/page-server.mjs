// A tiny static server for the built bench pages, on a loopback origin registered as a redirect
// URI at the bench's provider. `extraRoutes(req, res)` may answer a request first (returns true).
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' }

/** Listens on 127.0.0.1:`port` or fails with a clear message (never another port: redirect URIs name this one). */
export async function startPageServer({ port, root, extraRoutes = async () => false }) {
  const server = createServer(async (req, res) => {
    try {
      if (await extraRoutes(req, res)) return
      const path = normalize(decodeURIComponent(new URL(req.url, 'http://localhost').pathname))
      const type = TYPES[extname(path)]
      if (!type || path.includes('..')) return void res.writeHead(404).end()
      const body = await readFile(join(root, path))
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body)
    } catch (error) {
      res.writeHead(error.code === 'ENOENT' ? 404 : 500).end()
    }
  })
  await new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`bench: port ${port} is taken; the bench pages need it (it is their registered redirect URI)`) : error),
    )
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
