// The live panel beside the example apps (`npm run demo`): what pixie-auth does across tabs, as it
// happens. It watches the client from outside, as any app could: its state (subscribe), its token
// responses (the `fetch` option), the other tabs' sessions (the SDK's BroadcastChannel, then IndexedDB) and the mock
// provider's counters (its /__control/stats). Apps need none of this.
/// <reference types="vite/client" />
import { createStore, get } from 'idb-keyval'
import type { AuthClient, AuthState } from 'pixie-auth'

export interface DemoPanelOptions {
  issuer: string
  clientId: string
}

export interface DemoPanel {
  /** Pass as the client's `fetch` option: it sees this tab's token requests. */
  fetch: typeof fetch
  /** Shows the panel for this client. */
  mount(client: AuthClient): void
}

/** What the panels tell each other on their own channel (the SDK's stays untouched). */
type Presence =
  | { type: 'hello' | 'here' | 'bye'; tab: string; expiresAt?: number }
  | { type: 'event'; tab: string; kind: string; text: string }

const PRESENCE_CHANNEL = 'pixie-demo:presence'
/** A tab not heard of for this long is gone (each one says 'here' every second). */
const PRESENCE_TIMEOUT_MS = 2500
const LOG_LIMIT = 40

const STYLE = `
  html.with-demo-panel body { margin: 2rem 27rem 2rem 2rem; }
  #demo-panel { position: fixed; top: 1rem; right: 1rem; bottom: 1rem; width: 24rem; overflow: auto;
    box-sizing: border-box; padding: 1rem 1.2rem; border-radius: 12px; background: #0f172a; color: #e2e8f0;
    font: 14px/1.45 system-ui, sans-serif; box-shadow: 0 10px 30px rgb(15 23 42 / 0.35); }
  #demo-panel h2 { margin: 0 0 0.6rem; font-size: 1.05rem; color: #fff; }
  #demo-panel h3 { margin: 1rem 0 0.3rem; font-size: 0.75rem; letter-spacing: 0.08em; text-transform: uppercase; color: #94a3b8; }
  #demo-panel dl { display: grid; grid-template-columns: auto 1fr; gap: 0.15rem 0.8rem; margin: 0; }
  #demo-panel dt { color: #94a3b8; }
  #demo-panel dd { margin: 0; font-variant-numeric: tabular-nums; }
  #demo-panel .big { font-size: 1.6rem; font-weight: 600; color: #fff; }
  #demo-panel meter { width: 100%; height: 0.6rem; }
  #demo-panel button { font: inherit; margin: 0.4rem 0 0; padding: 0.3rem 0.8rem; border: 0; border-radius: 6px; background: #38bdf8; color: #0f172a; cursor: pointer; }
  #demo-panel label { display: block; margin-top: 0.4rem; color: #cbd5e1; }
  #demo-panel ol { list-style: none; margin: 0; padding: 0; font-size: 0.85rem; }
  #demo-panel li { padding: 0.2rem 0; border-bottom: 1px solid #1e293b; }
  #demo-panel li time { color: #64748b; margin-right: 0.5rem; font-variant-numeric: tabular-nums; }
  #demo-panel li[data-kind='refresh'] b { color: #fbbf24; }
  #demo-panel li[data-kind='sync'] b { color: #38bdf8; }
  #demo-panel li[data-kind='login'] b { color: #4ade80; }
  #demo-panel li[data-kind='session'] b { color: #a78bfa; }
  #demo-panel li[data-kind='logout'] b, #demo-panel li[data-kind='error'] b { color: #f87171; }
`

const HTML = `
  <h2>pixie-auth, live</h2>
  <h3>Session</h3>
  <dl>
    <dt>this tab</dt><dd id="panel-tab"></dd>
    <dt>status</dt><dd id="panel-status"></dd>
    <dt>user</dt><dd id="panel-user">–</dd>
    <dt>access token</dt><dd id="panel-token">–</dd>
  </dl>
  <h3>Access token expires in</h3>
  <div class="big" id="panel-expiry">–</div>
  <meter id="panel-meter" min="0" max="1" value="0"></meter>
  <h3>The provider has seen</h3>
  <dl>
    <dt>refresh requests</dt><dd class="big" id="panel-refreshes">–</dd>
    <dt>logins (code exchanges)</dt><dd id="panel-logins">–</dd>
    <dt>refresh token reuse</dt><dd id="panel-reuse">–</dd>
  </dl>
  <h3>Tabs open</h3>
  <div class="big" id="panel-tabs">1</div>
  <button id="panel-open-tab" type="button">Open another tab</button>
  <label><input id="panel-ask" type="checkbox" /> every tab asks for a token each second</label>
  <h3>Events in every tab</h3>
  <ol id="panel-log"></ol>
`

const short = (token: string) => `…${token.slice(-6)}`
const clock = () => new Date().toLocaleTimeString([], { hour12: false })

export function createDemoPanel({ issuer, clientId }: DemoPanelOptions): DemoPanel {
  // `npm run demo` (vite mode 'demo'): every tab asks for an access token each second, as an app
  // calling its API would, so the tabs meet at each expiry. Off in the e2e tests, which count requests.
  const askEverySecond = import.meta.env.MODE === 'demo'
  const tab = Math.random().toString(36).slice(2, 6)
  let expiresAt: number | undefined
  let lifetimeMs: number | undefined
  let log: (kind: string, text: string) => void = () => {}
  let presence: BroadcastChannel | undefined
  /** Access tokens this tab got itself: the SDK's messages carrying them are this tab's own. */
  const ownTokens = new Set<string>()
  /** This tab redeemed an authorization code: its next sign-in is a login of its own. */
  let redeemed = false
  /**
   * This tab revoked its refresh token (RFC 7009), so the logout is its own: the SDK's message that
   * the session ended, which this tab's panel also receives, is not news from another tab. The SDK
   * sends the revocation in the same task as that message, so this is set before it arrives.
   */
  let revoked = false

  const learnExpiry = (at: number | undefined, from: string) => {
    if (at === undefined || at === expiresAt) return
    lifetimeMs = Math.max(at - Date.now(), 1)
    expiresAt = at
    if (from === 'this tab') presence?.postMessage({ type: 'here', tab, expiresAt } satisfies Presence)
  }

  const panelFetch: typeof fetch = async (input, init) => {
    const grant = init?.body instanceof URLSearchParams ? init.body.get('grant_type') : null
    if (init?.body instanceof URLSearchParams && !grant && init.body.has('token')) revoked = true
    if (grant === 'refresh_token') log('refresh', 'sends the refresh request')
    const response = await fetch(input, init)
    if (grant && response.ok) {
      const { expires_in: expiresIn, access_token: accessToken } = (await response.clone().json()) as { expires_in?: number; access_token?: string }
      if (accessToken) ownTokens.add(accessToken)
      if (grant === 'authorization_code') redeemed = true
      if (typeof expiresIn === 'number') learnExpiry(Date.now() + expiresIn * 1000, 'this tab')
      log(grant === 'refresh_token' ? 'refresh' : 'login', grant === 'refresh_token' ? 'got new tokens, shares them with the other tabs' : 'redeemed the code for tokens')
    }
    return response
  }

  function mount(client: AuthClient) {
    document.head.appendChild(document.createElement('style')).textContent = STYLE
    document.documentElement.classList.add('with-demo-panel')
    const panel = document.body.appendChild(document.createElement('aside'))
    panel.id = 'demo-panel'
    panel.innerHTML = HTML
    const $ = (id: string) => panel.querySelector<HTMLElement>(`#panel-${id}`)!
    $('tab').textContent = tab

    const entries = $('log')
    const show = (from: string, kind: string, text: string) => {
      const item = document.createElement('li')
      item.dataset.kind = kind
      item.dataset.tab = from
      item.append(Object.assign(document.createElement('time'), { textContent: clock() }))
      item.append(Object.assign(document.createElement('b'), { textContent: kind }), ` ${from === tab ? 'this tab' : `tab ${from}`}: ${text}`)
      entries.prepend(item)
      while (entries.children.length > LOG_LIMIT) entries.lastElementChild!.remove()
    }
    log = (kind, text) => {
      show(tab, kind, text)
      presence?.postMessage({ type: 'event', tab, kind, text } satisfies Presence)
    }

    // State: the session, and login / logout as this tab sees them.
    let previous: AuthState['status'] | undefined
    const render = async (state: AuthState) => {
      $('status').textContent = state.error ? `${state.status} (${state.error.code})` : state.status
      $('user').textContent = state.user ? String(state.user.name ?? state.user.sub) : '–'
      if (state.status === 'authenticated' && previous !== 'authenticated') {
        // Only a tab that redeemed a code logged in; the others found the session or were told.
        if (redeemed) log('login', `signed in as ${String(state.user?.name ?? state.user?.sub)}`)
        else log('session', previous === 'loading' ? 'read the session from IndexedDB' : 'signed in by another tab')
        redeemed = false
      }
      if (state.status === 'unauthenticated' && previous === 'authenticated') {
        log('logout', state.error ? `session ended: ${state.error.code}` : 'signed out')
        expiresAt = undefined
      }
      if (state.status !== 'authenticated') $('token').textContent = '–'
      previous = state.status
    }
    client.subscribe((state) => void render(state))
    void render(client.getState())

    // The SDK's own channel: another tab announces the version of each record it writes, and this
    // one reads the record from IndexedDB, as the SDK does (the channel carries no token).
    const sdk = new BroadcastChannel(`pixie-auth:${new URL(issuer).href}#${clientId}`)
    const records = createStore('pixie-auth', 'kv')
    interface StoredRecord {
      ended?: string
      session?: { accessToken?: string; expiresAt?: number }
    }
    // It also delivers this tab's own messages to the panel's channel object: those are skipped.
    sdk.onmessage = async () => {
      const record = await get<StoredRecord>(`session:${new URL(issuer).href}#${clientId}`, records)
      if (record?.session) {
        if (ownTokens.has(record.session.accessToken ?? '')) return
        learnExpiry(record.session.expiresAt, 'another tab')
        log('sync', 'took the new tokens from another tab, sent no request')
      } else if (record?.ended || !revoked) {
        log('sync', `the session ended in another tab (${record?.ended ?? 'logout'})`)
      }
    }

    // Presence on the panel's channel: who is open, and the expiry a new tab has not seen yet.
    const seen = new Map<string, number>()
    presence = new BroadcastChannel(PRESENCE_CHANNEL)
    presence.onmessage = ({ data }: MessageEvent<Presence>) => {
      if (data.type === 'event') return show(data.tab, data.kind, data.text)
      if (data.type === 'bye') seen.delete(data.tab)
      else seen.set(data.tab, Date.now())
      if (data.type === 'hello') presence!.postMessage({ type: 'here', tab, expiresAt } satisfies Presence)
      if (expiresAt === undefined || (data.expiresAt ?? 0) > expiresAt) learnExpiry(data.expiresAt, 'another tab')
    }
    presence.postMessage({ type: 'hello', tab } satisfies Presence)
    addEventListener('pagehide', () => presence!.postMessage({ type: 'bye', tab } satisfies Presence))

    $('open-tab').onclick = () => window.open(location.href, '_blank')
    const ask = $('ask') as HTMLInputElement
    ask.checked = askEverySecond

    const stats = `${issuer}/__control/stats`
    setInterval(async () => {
      presence!.postMessage({ type: 'here', tab } satisfies Presence)
      for (const [other, at] of seen) if (Date.now() - at > PRESENCE_TIMEOUT_MS) seen.delete(other)
      $('tabs').textContent = String(seen.size + 1)
      if (ask.checked && client.getState().status === 'authenticated') {
        client.getAccessToken().then(
          (token) => ($('token').textContent = short(token)),
          (error: { code?: string }) => log('error', `getAccessToken(): ${error.code}`),
        )
      }
      const counts = await fetch(stats).then((response) => response.json(), () => undefined)
      if (counts) {
        $('refreshes').textContent = String(counts.tokenRequests.refresh_token)
        $('logins').textContent = String(counts.tokenRequests.authorization_code)
        $('reuse').textContent = String(counts.reuseDetections)
      }
    }, 1000)
    setInterval(() => {
      const left = expiresAt === undefined ? undefined : Math.max(0, expiresAt - Date.now())
      $('expiry').textContent = left === undefined ? '–' : `${(left / 1000).toFixed(1)} s`
      ;($('meter') as HTMLMeterElement).value = left === undefined || !lifetimeMs ? 0 : left / lifetimeMs
    }, 100)
  }

  return { fetch: panelFetch, mount }
}
