// The isolation worker's side: one client per configuration, run by the core itself, and the ports
// of the pages that use it. No message ever carries a refresh token: the replies are built from
// the access token, the state, URLs and claims, and every error is redacted on its way out.
import { createSharedClient } from '../../core/client.js'
import { AuthError, redacted, toAuthError } from '../../core/errors.js'
import { registerInternals, type SessionScope, type SharedClient } from '../../core/internals.js'
import { revokeRefreshToken } from '../../core/logout.js'
import { resolveOptions } from '../../core/options.js'
import { readSession, sessionKey, sessionSecrets } from '../../core/session.js'
import { optionsKey } from '../../core/shared-clients.js'
import { browserStore, memoryStore, type BrowserStore } from '../../core/storage.js'
import type { AuthClient, GetAccessTokenOptions } from '../../core/types.js'
import { dpop } from '../dpop.js'
import { createFetch, type AuthorizedFetch } from '../fetch.js'
import { par } from '../par.js'
import { resourceIndicators } from '../resource.js'
import { fetchUser } from '../userinfo.js'
import { sendProxied } from './proxy-server.js'
import { confirmBeforeSending, createServiceWorkerChecks, foreignServiceWorkerSeen, handledByServiceWorker } from './service-workers.js'
import {
  hasFields,
  isPlainObject,
  parseRequest,
  protocolVersion,
  stringRecord,
  toWireError,
  wireConfigFields,
  type Request as PageRequest,
  type StateEvent,
  type WireConfig,
} from './protocol.js'


/** A page's end of the conversation: a SharedWorker's `MessagePort`, or a dedicated worker's own scope. */
export interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void
  onmessage: ((event: MessageEvent) => void) | null
  close?(): void
}

/** The most configurations one worker serves, requests under way per port, and bytes per proxied body. */
const maxClients = 16
const maxPendingPerPort = 32
/** A forced refresh within this long of the last one gets the current token (a page script's loop must not churn the grant). */
const forcedRefreshIntervalMs = 10_000

interface Client {
  shared: SharedClient
  /** Registered with the internals, for the features that take a client (`createFetch`, `fetchUser`). */
  handle: AuthClient
  /** The proxy: with `accessTokenInWorker` or DPoP (the proofs' key is here). */
  proxy?: AuthorizedFetch
  accessTokenInWorker: boolean
  scope: SessionScope
  ports: Set<Port>
}

/**
 * Before each request the client sends, the pages are asked for foreign Service Workers (see
 * service-workers.ts). Once one is seen, the session is ended here, and nothing more is sent: not
 * even a revocation, which the Service Worker would read.
 */
function confirmNoServiceWorker(server: ServerParts, appHasServiceWorkers: boolean, client: () => Client) {
  let seen = false
  const askPages = () => server.checks.anyForeign(client().ports)
  return async () => {
    if (!seen && (await foreignServiceWorkerSeen(await server.probeServiceWorker(), appHasServiceWorkers, askPages))) {
      seen = true
      void client().shared.internals.endSession({ localOnly: true }).catch(() => {})
    }
    if (seen) throw new AuthError('config_error', 'Token isolation: a Service Worker not listed in serviceWorkers handles requests; the session was ended')
  }
}

/**
 * A Bearer session's store: this worker's memory and nothing else, so that no page script can read
 * the refresh token (issue 19: never in IndexedDB or Web Storage, not even as a fallback).
 */
function memoryOnlyStore(): BrowserStore {
  const memory = memoryStore()
  return { ...memory, getShared: memory.get, setEverywhere: memory.set, persists: () => false }
}

/**
 * A Bearer session an earlier build without isolation left in IndexedDB, where any script reads it:
 * deleted and its refresh token revoked. The switch costs its users one login.
 */
async function retireStoredBearerSession(shared: SharedClient): Promise<void> {
  const { config } = shared.internals
  const stored = browserStore(memoryStore, () => {})
  const { session } = await readSession(stored, config.namespace)
  if (!session || session.tokenType === 'dpop') return
  await stored.delete(sessionKey(config.namespace))
  await revokeRefreshToken(config, await shared.internals.metadata(), session)
}

/** Runs `getAccessToken` with at most one forced refresh per {@link forcedRefreshIntervalMs}. */
function limitForcedRefreshes(get: AuthClient['getAccessToken']): AuthClient['getAccessToken'] {
  let last = -Infinity
  return (options: GetAccessTokenOptions = {}) => {
    const forceRefresh = options.forceRefresh === true && Date.now() - last >= forcedRefreshIntervalMs
    if (forceRefresh) last = Date.now()
    return get({ ...options, forceRefresh })
  }
}

/** What every client of one worker shares. */
interface ServerParts {
  shared: boolean
  checks: ReturnType<typeof createServiceWorkerChecks>
  /** See `handledByServiceWorker()`; given in tests, where no browser records timings. */
  probeServiceWorker: () => Promise<boolean | undefined>
}

function createClient(wire: WireConfig, server: ServerParts): Client {
  const { dpop: withDPoP, par: withPar, resources, accessTokenInWorker, allowedOrigins, serviceWorkers, ...options } = wire
  const config = resolveOptions({
    ...options,
    authorizationParams: stringRecord('authorizationParams', options.authorizationParams),
    // Only a `true` is the app's choice; `false` would turn off loopback's default.
    allowInsecureRequests: options.allowInsecureRequests || undefined,
    dpop: withDPoP ? dpop() : undefined,
    par: withPar ? par() : undefined,
    resource: resources.length ? resourceIndicators(...resources) : undefined,
  })
  let made: Client | undefined
  confirmBeforeSending(config, confirmNoServiceWorker(server, serviceWorkers.length > 0, () => made!))
  const client = createSharedClient(config, withDPoP ? browserStore(memoryStore) : memoryOnlyStore())
  client.internals.getAccessToken = limitForcedRefreshes(client.internals.getAccessToken)
  const handle = {} as AuthClient
  registerInternals(handle, () => client.internals)
  if (!withDPoP) void retireStoredBearerSession(client).catch(() => {})
  return (made = {
    shared: client,
    handle,
    proxy: accessTokenInWorker || withDPoP ? createFetch(handle, { allowedOrigins }) : undefined,
    accessTokenInWorker,
    scope: withDPoP ? 'browser' : server.shared ? 'open-tabs' : 'this-tab',
    ports: new Set(),
  })
}

/** What a page may not see in an error: every token of the client's session. */
async function wireErrorOf(client: Client | undefined, error: unknown) {
  const session = await client?.shared.internals.session().catch(() => undefined)
  return toWireError(redacted(toAuthError(error), session ? sessionSecrets(session) : []))
}

/** The client's state as the pages get it: its error redacted like a reply's (a server may quote a token). */
const stateEvent = async (client: Client): Promise<StateEvent> => {
  const { error, ...state } = client.shared.getState()
  return { v: protocolVersion, event: 'state', state: { ...state, error: error && (await wireErrorOf(client, error)) } }
}

/**
 * Makes room for a configuration: the oldest client no page uses, one without a session first.
 * Else the configurations a page script said `hello` with would lock out every new one (an app
 * after a deploy) for as long as any tab keeps the worker alive.
 */
function evictIdleClient(clients: Map<string, Client>): boolean {
  const idle = [...clients].filter(([, each]) => each.ports.size === 0)
  const [key, client] = idle.find(([, each]) => each.shared.getState().status !== 'authenticated') ?? idle[0] ?? []
  if (!key || !client) return false
  clients.delete(key)
  client.shared.close()
  return true
}

/**
 * Serves the isolation protocol on every port this worker is given. `generation` names this
 * worker's life: pages that find another one know it restarted, and lost its memory.
 */
export function createIsolationServer(generation: string, shared: boolean, probeServiceWorker = handledByServiceWorker) {
  const clients = new Map<string, Client>()
  const checks = createServiceWorkerChecks()
  const parts: ServerParts = { shared, checks, probeServiceWorker }

  const clientFor = (config: unknown): Client => {
    if (!isPlainObject(config) || !hasFields(config, wireConfigFields)) throw new AuthError('config_error', 'Not a configuration')
    // One client per configuration: a page script's own configuration gets a client of its own
    // (with Bearer, an empty memory), never the app's session.
    const key = optionsKey(config)
    let client = clients.get(key)
    if (!client) {
      if (clients.size >= maxClients && !evictIdleClient(clients)) throw new AuthError('config_error', 'Too many configurations in one worker')
      client = createClient(config as unknown as WireConfig, parts)
      clients.set(key, client)
      const announce = client
      // In order: each state is read when it is published, and sent once redacted.
      let announced = Promise.resolve()
      client.shared.subscribe(() => {
        const event = stateEvent(announce)
        announced = announced.then(async () => {
          const redactedEvent = await event
          for (const port of announce.ports) port.postMessage(redactedEvent)
        })
      })
    }
    return client
  }

  return function serve(port: Port) {
    let client: Client | undefined
    let portLock: string | undefined
    let live = false
    let pending = 0
    const fetches = new Map<number, AbortController>()

    const drop = () => {
      live = false
      client?.ports.delete(port)
      // Only requests to APIs stop with their page; a refresh, a login or a logout runs to its end
      // and stores what it got, or a rotated refresh token would be lost.
      for (const controller of fetches.values()) controller.abort()
      port.close?.()
    }

    async function perform({ id, op, args }: PageRequest, ports: readonly MessagePort[]): Promise<unknown> {
      if (op === 'hello') {
        if (client) throw new AuthError('config_error', 'hello was said on this port')
        if (args.protocol !== protocolVersion) throw new AuthError('config_error', 'Another version of pixie-auth')
        // A `blob:` or `data:` worker is per page, and needs a CSP that lets any script be a worker.
        if (location.protocol !== 'https:' && location.protocol !== 'http:') {
          throw new AuthError('config_error', 'The isolation worker must load from the app’s origin')
        }
        client = clientFor(args.config)
        portLock = `pixie-auth-port:${crypto.randomUUID()}`
        return { generation, portLock, scope: client.scope }
      }
      if (op === 'ready') {
        // A port handed to another page (another origin's, which cannot hold this origin's locks)
        // dies with the document that took its lock.
        const { held = [] } = await navigator.locks.query()
        // Its client may have been evicted since `hello` (see evictIdleClient).
        if (!client || ![...clients.values()].includes(client) || !portLock || !held.some((lock) => lock.name === portLock)) throw new AuthError('config_error', 'hello_required')
        live = true
        client.ports.add(port)
        void navigator.locks.request(portLock, async () => drop())
        port.postMessage(await stateEvent(client))
        return {}
      }
      if (!live || !client) throw new AuthError('config_error', 'hello_required')
      const { shared: session, handle } = client
      switch (op) {
        case 'state':
          await session.internals.session()
          return (await stateEvent(client)).state
        case 'token':
          if (client.accessTokenInWorker) throw new AuthError('config_error', 'The access token stays in the worker: use createFetch(auth)')
          return session.internals.getAccessToken(args)
        case 'login': {
          let url = ''
          const steps = session.internals.loginSteps({
            appState: args.appState,
            authorizationParams: args.authorizationParams === undefined ? undefined : stringRecord('authorizationParams', args.authorizationParams),
            redirectUri: args.redirectUri as string | undefined,
          })
          const state = await steps.start((destination) => (url = destination.href))
          return { url, state }
        }
        case 'complete':
          return session.handleRedirectCallback(args.url as string)
        case 'abandon':
          return session.internals.loginSteps({}).abandon(args.state as string)
        case 'logout':
          return session.internals.endSession(args)
        case 'userinfo':
          return fetchUser(handle)
        case 'checked':
          return checks.answer(port, args.check as number, args.foreign as boolean)
        case 'abort':
          fetches.get(args.target as number)?.abort()
          return
        case 'bye':
          drop()
          return
        case 'fetch': {
          if (!client.proxy) throw new AuthError('config_error', 'createFetch() goes through the worker only with accessTokenInWorker or dpop()')
          const controller = new AbortController()
          fetches.set(id, controller)
          const forget = () => fetches.delete(id)
          return sendProxied(client.proxy, args, ports, controller.signal, (error) => wireErrorOf(client, error), forget).catch((error: unknown) => {
            forget()
            throw error
          })
        }
      }
    }

    port.onmessage = ({ data, ports }) => {
      const request = parseRequest(data)
      const transferred = ports ?? []
      if (!request || pending >= maxPendingPerPort) {
        for (const each of transferred) each.close()
        if (request) port.postMessage({ v: protocolVersion, id: request.id, ok: false, error: toWireError(new AuthError('config_error', 'Too many requests')) })
        return
      }
      if (request.op !== 'fetch') for (const each of transferred) each.close()
      pending += 1
      perform(request, transferred).then(
        (value) => port.postMessage({ v: protocolVersion, id: request.id, ok: true, value }),
        async (error: unknown) => port.postMessage({ v: protocolVersion, id: request.id, ok: false, error: await wireErrorOf(client, error) }),
      ).finally(() => (pending -= 1))
    }
  }
}
