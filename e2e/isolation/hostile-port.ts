// The attacker of e2e/isolation/attacks*.spec.ts: a script on a page of the app's origin that talks
// to the isolation worker itself, as the app does (src/features/isolation/protocol.ts), and a page
// of another origin it hands a port to. Reuses e2e/attacks/attacker.ts for everything outside the
// browser.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BrowserContext, Page } from '@playwright/test'

/**
 * Installed before any script of every page of the origin (a dependency that runs first): records
 * the `hello` the app sends (its configuration, which a real attacker copies from the bundle) and
 * every message of the SDK's BroadcastChannels. `MessagePort.prototype.postMessage` is not
 * captured by pixie-auth (R8), so a wrapper sees every request a page sends.
 */
export async function recordAppTraffic(context: BrowserContext, channels: string[]) {
  await context.addInitScript((names: string[]) => {
    const w = window as unknown as { helloConfigs: unknown[]; sentOps: unknown[]; channelMessages: unknown[] }
    w.helloConfigs = []
    w.sentOps = []
    w.channelMessages = []
    const send = MessagePort.prototype.postMessage
    MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, ...rest: unknown[]) {
      const request = message as { op?: string; args?: { config?: unknown } }
      if (request?.op) w.sentOps.push(JSON.parse(JSON.stringify(request)))
      if (request?.op === 'hello') w.helloConfigs.push(request.args?.config)
      return (send as (...args: unknown[]) => void).call(this, message, ...rest)
    }
    for (const name of names) new BroadcastChannel(name).onmessage = ({ data }) => w.channelMessages.push(data)
  }, channels)
}

/**
 * Defines `window.evil` in `page`: finds the worker's URL in the app's bundle, opens ports to the
 * app's SharedWorker, speaks its protocol, and keeps every message any of its ports received.
 */
export async function installKit(page: Page) {
  await page.evaluate(() => {
    type Port = { port: MessagePort; next: number; waiters: Map<number, (reply: unknown) => void> }
    const seen: unknown[] = []
    const locks: (() => void)[] = []
    async function workerUrl(): Promise<string> {
      // Where the bundler put the worker: the URL literal in the isolation entry's code.
      const entry = performance.getEntriesByType('resource').map(({ name }) => name).find((name) => /\/isolation\.[tj]s/.test(name))
      if (!entry) throw new Error('isolation entry not found')
      const found = /["'`]([^"'`]*isolation-worker[^"'`]*)["'`]/.exec(await (await fetch(entry)).text())
      if (!found) throw new Error('worker URL not found')
      return new URL(found[1], entry).href
    }
    function open(url: string): Port {
      // The app's exact options: Chromium refuses a second constructor whose extendedLifetime differs.
      const worker = new SharedWorker(url, { type: 'module', name: 'pixie-auth', extendedLifetime: true } as WorkerOptions)
      const port: Port = { port: worker.port, next: 1000, waiters: new Map() }
      worker.port.onmessage = ({ data }) => {
        seen.push(data)
        const reply = data as { id?: number }
        if (typeof reply?.id === 'number') port.waiters.get(reply.id)?.(data)
      }
      return port
    }
    /** One request; resolves with the reply, or 'no reply' after `timeoutMs`. */
    function ask(port: Port, op: string, args: unknown = {}, transfer: Transferable[] = [], timeoutMs = 5000) {
      const id = port.next++
      return new Promise<unknown>((resolve) => {
        const timer = setTimeout(() => resolve('no reply'), timeoutMs)
        port.waiters.set(id, (reply) => {
          clearTimeout(timer)
          resolve(reply)
        })
        port.port.postMessage({ v: 1, id, op, args }, transfer)
      })
    }
    /** hello, the port's lock held in this page, ready: a port the worker serves. */
    async function connect(config: unknown, url?: string) {
      const port = open(url ?? (await workerUrl()))
      const hello = (await ask(port, 'hello', { protocol: 1, config })) as { ok: boolean; value?: { portLock: string; generation: string } }
      if (!hello.ok || !hello.value) return { port, hello }
      await new Promise<void>((held) => navigator.locks.request(hello.value!.portLock, () => new Promise<void>((release) => (held(), locks.push(release)))))
      const ready = await ask(port, 'ready')
      return { port, hello, ready }
    }
    ;(window as unknown as { evil: unknown }).evil = { seen, workerUrl, open, ask, connect }
  })
}

/** The config the app said `hello` with (see {@link recordAppTraffic}). */
export const appWireConfig = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { helloConfigs: unknown[] }).helloConfigs[0]).then((handle) => handle.jsonValue() as Promise<Record<string, unknown>>)

/** A page of another origin (127.0.0.1, another port): takes a port posted to it and speaks through it. */
export async function startEvilSite() {
  const html = `<!doctype html><title>evil</title><script>
    window.calls = [];
    window.addEventListener('message', (event) => {
      const [port] = event.ports;
      if (!port) return;
      const waiters = new Map();
      let next = 5000;
      port.onmessage = ({ data }) => { window.calls.push(data); waiters.get(data && data.id)?.(data) };
      window.ask = (op, args = {}, timeoutMs = 3000) => new Promise((resolve) => {
        const id = next++;
        const timer = setTimeout(() => resolve('no reply'), timeoutMs);
        waiters.set(id, (reply) => { clearTimeout(timer); resolve(reply) });
        port.postMessage({ v: 1, id, op, args });
      });
      window.gotPort = true;
    });
    if (window.opener) window.opener.postMessage('evil-ready', '*');
  </script>`
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(html)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}

/** Every string of 43 base64url characters in `value` (the mock provider's tokens have this shape). */
export function tokenLikeStrings(value: unknown): string[] {
  return [...new Set(JSON.stringify(value).match(/[A-Za-z0-9_-]{43}/g) ?? [])]
}
