// Adapter for WebKitGTK, Safari's engine, as Debian ships it: WebKitWebDriver (webkit2gtk-driver)
// driving MiniBrowser (libwebkit2gtk-4.1-0), on a virtual display from xvfb-run (xvfb). A minimal
// W3C WebDriver client over fetch: the suite needs a handful of commands, not a client library.
// https://www.w3.org/TR/webdriver2/
import { spawn, type ChildProcess } from 'node:child_process'
import type { Engine, InPage, Profile, Tab } from './driver'

/** Loopback only (WebKitWebDriver's --host); a port no other e2e server uses. */
const DRIVER = { host: '127.0.0.1', port: 4050 }
const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
const COMMAND_TIMEOUT_MS = 20_000
/** The key of an element reference in WebDriver's JSON (§ 12.1). */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'

type Send = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<unknown>

/** Sends one WebDriver command; an error answer (§ 6.6) throws with its error code and message. */
async function command(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`http://${DRIVER.host}:${DRIVER.port}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    // The driver's own timeouts (set below) end a command first; this bounds a hung driver.
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS + 5_000),
  })
  const { value } = (await response.json()) as { value: unknown }
  if (!response.ok) {
    const { error, message } = value as { error: string; message: string }
    throw new Error(`WebDriver ${method} ${path}: ${error}: ${message}`)
  }
  return value
}

/**
 * A WebDriver session is one MiniBrowser with one current tab; commands to a tab switch to it first.
 * They run one at a time, so a switch and the command after it are never split by another tab's.
 */
function sessionCommands(sessionId: string): { send: Send; inTab: (handle: string, send: (s: Send) => Promise<unknown>) => Promise<unknown> } {
  const send: Send = (method, path, body) => command(method, `/session/${sessionId}${path}`, body)
  let queue: Promise<unknown> = Promise.resolve()
  let current: string | undefined
  const inTab = (handle: string, run: (s: Send) => Promise<unknown>) => {
    const next = queue.then(async () => {
      if (current !== handle) {
        await send('POST', '/window', { handle })
        current = handle
      }
      return run(send)
    })
    queue = next.catch(() => undefined)
    return next
  }
  return { send, inTab }
}

function tab(handle: string, inTab: ReturnType<typeof sessionCommands>['inTab']): Tab {
  return {
    goto: async (url) => {
      await inTab(handle, (send) => send('POST', '/url', { url }))
    },
    // Execute Script awaits a returned promise (§ 13.2.1).
    evaluate: <A, R>(fn: InPage<A, R>, arg: A) =>
      inTab(handle, (send) => send('POST', '/execute/sync', { script: `return (${fn.toString()}).apply(null, arguments)`, args: [arg] })) as Promise<R>,
    click: async (selector) => {
      await inTab(handle, async (send) => {
        const element = (await send('POST', '/element', { using: 'css selector', value: selector })) as Record<string, string>
        return send('POST', `/element/${element[ELEMENT]}/click`, {})
      })
    },
  }
}

/** A new session: a new MiniBrowser process, with a storage of its own (automation sessions are ephemeral). */
async function newSession(): Promise<{ id: string; version: string }> {
  const { sessionId, capabilities } = (await command('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        timeouts: { script: COMMAND_TIMEOUT_MS, pageLoad: COMMAND_TIMEOUT_MS, implicit: 0 },
      },
    },
  })) as { sessionId: string; capabilities: { browserName: string; browserVersion: string } }
  return { id: sessionId, version: `WebKitGTK ${capabilities.browserVersion} (${capabilities.browserName})` }
}

async function profile(): Promise<Profile> {
  const session = await newSession()
  const { send, inTab } = sessionCommands(session.id)
  // The session's first tab is the window it opened with; later tabs are new ones.
  let first: string | undefined = (await send('GET', '/window')) as string
  return {
    newTab: async () => {
      const handle = first ?? ((await send('POST', '/window/new', { type: 'tab' })) as { handle: string }).handle
      first = undefined
      return tab(handle, inTab)
    },
    close: async () => {
      await send('DELETE', '')
    },
  }
}

/** Polls the driver's status (bounded) until it accepts sessions. */
async function driverReady(driver: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with code ${driver.exitCode}`)
    const ready = await command('GET', '/status').then(
      (status) => (status as { ready?: boolean }).ready === true,
      () => false,
    )
    if (ready) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`WebKitWebDriver not ready on ${DRIVER.host}:${DRIVER.port} after ${timeoutMs} ms`)
}

/**
 * Starts WebKitWebDriver on a virtual display (its own process group, so closing ends Xvfb and every
 * MiniBrowser with it) and opens one session to learn the engine's version.
 */
export async function launchWebKit(): Promise<Engine> {
  const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--host=${DRIVER.host}`, `--port=${DRIVER.port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  driver.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)))
  const stop = () => {
    if (driver.exitCode === null && driver.pid) process.kill(-driver.pid, 'SIGTERM')
  }
  try {
    await driverReady(driver, 30_000)
    const probe = await newSession()
    await command('DELETE', `/session/${probe.id}`)
    return { name: 'webkit', version: probe.version, newProfile: profile, close: async () => stop() }
  } catch (error) {
    stop()
    throw new Error(`${String(error)}\nWebKitWebDriver stderr: ${stderr}`)
  }
}
