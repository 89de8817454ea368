// Vitest global setup of the cross-engine suite: starts the servers its flows use, the ones
// playwright.config.ts starts for the Playwright specs, on loopback, and stops them afterwards.
// A server still answering on a port after a few seconds fails the run: it could be another
// checkout's code (the Playwright run just before stops its own, which can take a moment).
import { spawn, type ChildProcess } from 'node:child_process'
import { APP, OP, PROVIDER } from '../control'

const SERVERS = [
  { name: 'mock provider', command: ['node', 'e2e/provider/mock-provider.mjs'], ready: `${PROVIDER}/.well-known/openid-configuration` },
  { name: 'oidc-provider', command: ['node', 'e2e/oidc-provider/server.mjs'], ready: `${OP}/.well-known/openid-configuration` },
  { name: 'harness app', command: ['node', 'node_modules/vite/bin/vite.js', '--config', 'e2e/app/vite.config.ts'], ready: `${APP}/` },
]

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  )

async function untilAnswers(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`exited with code ${server.exitCode}`)
    if (await answers(url)) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`)
}

async function untilGone(name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (await answers(url)) {
    if (Date.now() > deadline) throw new Error(`${name}: something already answers at ${url}; stop it first`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

/** Starts every server (each in a process group of its own) and returns the teardown that stops them. */
export default async function setup(): Promise<() => void> {
  for (const { name, ready } of SERVERS) await untilGone(name, ready, 10_000)
  const started: ChildProcess[] = []
  const stop = () => {
    for (const server of started) if (server.exitCode === null && server.pid) process.kill(-server.pid, 'SIGTERM')
  }
  try {
    for (const { name, command, ready } of SERVERS) {
      const server = spawn(command[0], command.slice(1), { detached: true, stdio: ['ignore', 'ignore', 'inherit'] })
      started.push(server)
      await untilAnswers(ready, server, 60_000).catch((error: unknown) => {
        throw new Error(`${name} (${command.join(' ')}): ${String(error)}`)
      })
    }
  } catch (error) {
    stop()
    throw error
  }
  return stop
}
