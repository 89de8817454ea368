// Token isolation with accessTokenInWorker: the page never gets the access token; createFetch(auth)
// goes through the worker, bodies both ways, and the worker, not the page, enforces the origins.
import { PROVIDER, expect, getAccessToken, getStats, injectFault, login, test } from '../helpers'

test.use({
  appConfig: { isolation: { accessTokenInWorker: true }, allowedOrigins: [PROVIDER, 'https://allowed.example.com'] },
  // Inside the refresh leeway only when a test wants it; a minute otherwise.
  providerConfig: { autoApprove: true },
})

test('getAccessToken() refuses; GET, JSON, FormData, a streamed body, an abort mid-body, a 401 retried once, a redirect', async ({ page }) => {
  await login(page)
  const token = await getAccessToken(page)
  expect(token.ok ? 'a token' : token.error.code).toBe('config_error')

  // Each step in the page, bounded: a step that hangs says which it is.
  const step = <T>(name: string, run: (api: string) => Promise<T>) =>
    page.evaluate(
      ([source, api, label]) =>
        Promise.race([
          (0, eval)(source)(api),
          new Promise((resolve) => setTimeout(() => resolve(`${label}: no answer in 5 s`), 5_000)),
        ]),
      [run.toString(), PROVIDER, name] as const,
    ) as Promise<T>
  const results = {
    get: await step('GET', async (api) => {
      const response = await window.pixie.fetch(`${api}/api/me`)
      return { status: response.status, body: await response.json() }
    }),
    json: await step('JSON', async (api) => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) }
      const response = await window.pixie.fetch(`${api}/api/echo`, init)
      return { status: response.status, body: await response.json() }
    }),
    multipart: await step('FormData', async (api) => {
      const form = new FormData()
      form.set('field', 'value')
      const response = await window.pixie.fetch(`${api}/api/echo`, { method: 'POST', body: form })
      return { status: response.status, body: await response.json() }
    }),
    // Five chunks 150 ms apart: the page reads each as it comes.
    arrivals: await step('stream', async (api) => {
      const reader = (await window.pixie.fetch(`${api}/api/stream?chunks=5&delayMs=150`)).body!.getReader()
      const arrivals: { at: number; text: string }[] = []
      for (let i = 0; i < 10; i += 1) {
        const { done, value } = await reader.read()
        if (done) break
        arrivals.push({ at: performance.now(), text: new TextDecoder().decode(value) })
      }
      return arrivals
    }),
    // Aborted after the first chunk of twenty, 200 ms apart.
    abort: await step('abort mid-body', async (api) => {
      const controller = new AbortController()
      const started = performance.now()
      const reader = (await window.pixie.fetch(`${api}/api/stream?chunks=20&delayMs=200`, { signal: controller.signal })).body!.getReader()
      const first = new TextDecoder().decode((await reader.read()).value)
      controller.abort()
      const afterAbort = await reader.read().then(
        (r) => `read ${r.done ? 'done' : 'chunk'}`,
        (e: Error) => `rejected ${e.name}`,
      )
      return { first, afterAbort, abortMs: performance.now() - started }
    }),
    redirect: await step('redirect', async (api) => {
      const response = await window.pixie.fetch(`${api}/api/redirect`)
      return { type: response.type, status: response.status }
    }),
  }
  test.info().annotations.push({ type: 'proxied fetch', description: JSON.stringify(results) })
  expect(results.get).toMatchObject({ status: 200, body: { sub: 'user-ada' } })
  expect(results.json.body).toMatchObject({ method: 'POST', contentType: 'application/json', body: '{"a":1}' })
  expect(results.multipart.body.contentType).toMatch(/^multipart\/form-data; boundary=/)
  expect(results.multipart.body.body).toContain('name="field"')
  expect(results.multipart.body.body).toContain('value')
  expect(results.arrivals.map((each) => each.text).join('')).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n')
  // Streamed, not buffered: the chunks reached the page apart, not all at once at the end.
  expect(results.arrivals.length).toBeGreaterThanOrEqual(3)
  expect(results.arrivals.at(-1)!.at - results.arrivals[0]!.at).toBeGreaterThan(300)
  expect(results.abort.first).toBe('chunk 0\n')
  expect(results.abort.afterAbort).toMatch(/^rejected /)
  expect(results.abort.abortMs).toBeLessThan(2_000)
  expect(results.redirect).toEqual({ type: 'error', status: 0 })
})

test('a 401 invalid_token is answered by one refresh and one retry', async ({ page }) => {
  await login(page)
  const before = await getStats()
  await injectFault({
    endpoint: 'api',
    type: 'status',
    status: 401,
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    body: '{"error":"invalid_token"}',
    contentType: 'application/json',
  })
  const result = await page.evaluate(async (api) => {
    const response = await window.pixie.fetch(`${api}/api/me`)
    return { status: response.status, body: await response.json() }
  }, PROVIDER)
  expect(result).toMatchObject({ status: 200, body: { sub: 'user-ada' } })
  const after = await getStats()
  expect(after.tokenRequests.refresh_token - before.tokenRequests.refresh_token).toBe(1)
  expect(after.apiRequests - before.apiRequests).toBe(2)
})

test('the worker refuses other origins itself: a page script talking to it directly sends nothing', async ({ page }) => {
  // Records the worker's URL and the app's hello, as a script of the page could.
  await page.addInitScript(() => {
    const seen = { url: '', options: {} as WorkerOptions, config: undefined as unknown }
    Object.assign(window, { seen })
    window.SharedWorker = new Proxy(SharedWorker, {
      construct(target, args: [string | URL, WorkerOptions]) {
        seen.url = String(args[0])
        seen.options = args[1]
        return Reflect.construct(target, args) as object
      },
    })
    const post = MessagePort.prototype.postMessage as (message: unknown, transfer: Transferable[]) => void
    MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, transfer?: Transferable[]) {
      const data = message as { op?: string; args?: { config?: unknown } }
      if (data?.op === 'hello') seen.config = data.args?.config
      return post.call(this, message, transfer ?? [])
    } as MessagePort['postMessage']
  })
  await login(page)
  const apiBefore = (await getStats()).apiRequests
  const answers = await page.evaluate(async (api) => {
    const { seen } = window as unknown as { seen: { url: string; options: WorkerOptions; config: unknown } }
    // The app's URL and options (name 'pixie-auth', module, extendedLifetime): the app's own worker.
    const worker = new SharedWorker(seen.url, seen.options)
    const port = worker.port
    let id = 0
    const ask = (op: string, args: Record<string, unknown>, transfer: Transferable[] = []) =>
      new Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>((resolve) => {
        const mine = ++id
        const timer = setTimeout(() => resolve({ ok: false, error: { code: 'no answer' } }), 5_000)
        port.addEventListener('message', ({ data }) => {
          if (data?.id === mine) {
            clearTimeout(timer)
            resolve(data)
          }
        })
        port.start()
        port.postMessage({ v: 1, id: mine, op, args }, transfer)
      })
    const hello = await ask('hello', { protocol: 1, config: seen.config })
    if (!hello.ok) return { hello, url: seen.url, options: seen.options, config: seen.config }
    const { portLock } = hello.value as { portLock: string }
    await new Promise<void>((held) => void navigator.locks.request(portLock, () => new Promise<void>(() => held())))
    await ask('ready', {})
    const fetchOp = (url: string) =>
      ask('fetch', { url, method: 'GET', headers: {}, settings: {} }, [new MessageChannel().port2]).then((r) =>
        r.ok ? `sent: ${(r.value as { status: number }).status}` : r.error!.code,
      )
    return {
      allowed: await fetchOp(`${api}/api/me`),
      otherOrigin: await fetchOp('https://evil.example/api/me'),
      prefix: await fetchOp('https://allowed.example.com.evil.net/api/me'),
      portPrefix: await fetchOp('http://127.0.0.1:40100/api/me'),
      credentials: await fetchOp('http://user:pass@127.0.0.1:4010/api/me'),
      otherPort: await fetchOp('http://127.0.0.1:4011/api/me'),
    }
  }, PROVIDER)
  // The direct channel works (so the refusals are the worker's, not a broken test)...
  expect(answers.allowed, JSON.stringify(answers)).toBe('sent: 200')
  // ...and the worker refuses the rest before sending anything.
  expect(answers).toEqual({
    allowed: 'sent: 200',
    otherOrigin: 'config_error',
    prefix: 'config_error',
    portPrefix: 'config_error',
    credentials: 'config_error',
    otherPort: 'config_error',
  })
  expect((await getStats()).apiRequests - apiBefore).toBe(1)
})
