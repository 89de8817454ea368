// The messages between a page and the isolation worker: their shapes, and the checks the worker
// makes before anything else. Both sides import this module; nothing here touches a browser API.
import * as oauth from 'oauth4webapi'
import type { AuthState } from '../../core/auth-state.js'
import { AuthError, toAuthError, type AuthErrorCode } from '../../core/errors.js'
import type { ResolvedOptions } from '../../core/options.js'

/** Sent in `hello`: a page never talks to a worker of another build (the URL is in the same bundle). */
export const protocolVersion = 1

/**
 * What a page may ask, with the type of each argument it may pass (`?` marks an optional one). The
 * worker refuses any other key, any other type and, for strings, more than {@link maxTextLength}.
 */
export const operations = {
  hello: { protocol: 'number', config: 'object' },
  /** The page holds the port's lock (see `hello`'s reply): from now on the port is served. */
  ready: {},
  state: {},
  token: { forceRefresh: 'boolean?', resource: 'string?', scope: 'string?' },
  login: { appState: 'any?', authorizationParams: 'object?', redirectUri: 'string?' },
  complete: { url: 'string' },
  abandon: { state: 'string' },
  logout: { localOnly: 'boolean?', returnTo: 'string?', logoutHint: 'string?' },
  fetch: { url: 'string', method: 'string', headers: 'object', body: 'any?', settings: 'object' },
  abort: { target: 'number' },
  /** The page's answer to the worker's `check` (see service-workers.ts). */
  checked: { check: 'number', foreign: 'boolean' },
  userinfo: {},
  bye: {},
} as const

export type Operation = keyof typeof operations

/** A page's request: `id` is unique among the port's requests under way. */
export interface Request {
  v: typeof protocolVersion
  id: number
  op: Operation
  args: Record<string, unknown>
}

/** An error as it crosses to the page: redacted already, without a `cause` chain. */
export interface WireError {
  code: AuthErrorCode
  message: string
  status?: number
  error?: string
  errorDescription?: string
}

export type Reply = { v: 1; id: number; ok: true; value?: unknown } | { v: 1; id: number; ok: false; error: WireError }

/** The client's state as the worker announces it to each page. */
export type WireState = Omit<AuthState, 'error'> & { error?: WireError }

/** A state change, sent to every page of the client. */
export interface StateEvent {
  v: 1
  event: 'state'
  state: WireState
}

/** The longest string argument: URLs and parameters, never a body (that is an `ArrayBuffer`). */
export const maxTextLength = 16_384
/** The most headers a proxied request may carry, and the longest `appState` (as JSON) a login may. */
export const maxHeaders = 100
export const maxAppStateLength = 65_536

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype

function hasType(value: unknown, type: string): boolean {
  if (type === 'any') return true
  if (type === 'string') return typeof value === 'string' && value.length <= maxTextLength
  if (type === 'number') return Number.isSafeInteger(value)
  if (type === 'finite') return typeof value === 'number' && Number.isFinite(value)
  if (type === 'object') return isPlainObject(value)
  // Array.from: every() skips a sparse array's holes, which structured cloning keeps.
  if (type === 'strings') return Array.isArray(value) && value.length <= 16 && Array.from(value).every((each) => hasType(each, 'string'))
  return typeof value === type
}

/**
 * Whether `record` has only the keys `fields` lists, each of its type (`'string'`, `'number'` for a
 * safe integer, `'finite'`, `'boolean'`, `'object'` for a plain one, `'strings'` for a short array
 * of strings, `'any'`), and every key not marked optional (`?`).
 */
export function hasFields(record: Record<string, unknown>, fields: Record<string, string>): boolean {
  for (const key of Object.keys(record)) if (!Object.hasOwn(fields, key)) return false
  return Object.entries(fields).every(([key, declared]) =>
    record[key] === undefined ? declared.endsWith('?') : hasType(record[key], declared.replace('?', '')),
  )
}

/**
 * The request in `data`, checked: a plain object of this protocol, a known `op`, a safe-integer `id`
 * and only the arguments the op lists, each of its type; `undefined` for anything else. Structured
 * cloning already gives plain data (no getters, prototypes or functions); this bounds its shape.
 */
export function parseRequest(data: unknown): Request | undefined {
  if (!isPlainObject(data) || data.v !== protocolVersion || !Number.isSafeInteger(data.id)) return undefined
  const { op, args = {} } = data
  if (typeof op !== 'string' || !Object.hasOwn(operations, op) || !isPlainObject(args)) return undefined
  if (!hasFields(args, operations[op as Operation])) return undefined
  return { v: protocolVersion, id: data.id as number, op: op as Operation, args }
}

/** `value` when it is a record of strings, with at most `max` entries; else `config_error`. */
export function stringRecord(name: string, value: unknown, max = maxHeaders): Record<string, string> {
  if (!isPlainObject(value)) throw new AuthError('config_error', `${name} must be an object of strings`)
  const entries = Object.entries(value)
  if (entries.length > max || entries.some(([, each]) => typeof each !== 'string' || each.length > maxTextLength)) {
    throw new AuthError('config_error', `${name} must be an object of at most ${max} strings`)
  }
  return value as Record<string, string>
}

/** `error` as it crosses to the page; the worker has redacted its secrets already (see the worker). */
export function toWireError(error: unknown): WireError {
  const { code, message, status, error: oauthError, errorDescription } = toAuthError(error)
  return { code, message, status, error: oauthError, errorDescription }
}

/** A {@link WireError} as the page's API throws it. */
export const fromWireError = ({ code, message, ...details }: WireError) => new AuthError(code, message, details)

/**
 * The client's options as the worker rebuilds them: what `createAuthClient()` was given, minus
 * what cannot be cloned (functions) and the page-only features (silent and popup logins run in the
 * page). The protocol plug-ins travel as flags.
 */
export type WireConfig = Pick<
  ResolvedOptions,
  | 'clientId'
  // As given: a path resolves against the worker's origin, which is the page's.
  | 'redirectUri'
  | 'scope'
  | 'postLogoutRedirectUri'
  | 'allowInsecureRequests'
  | 'authorizationParams'
  | 'refreshLeewaySeconds'
  | 'refreshRetries'
  | 'timeoutSeconds'
  | 'metadata'
> & {
  issuer: string
  lockWaitSeconds: number
  clockToleranceSeconds: number
  dpop: boolean
  par: boolean
  resources: string[]
  /** Token isolation's own options: see `tokenIsolation()`. */
  accessTokenInWorker: boolean
  allowedOrigins: string[]
  /** The app's own Service Workers' scripts: with none, any Service Worker handling the worker's requests is foreign. */
  serviceWorkers: string[]
}

/** The type of each field of a {@link WireConfig}, as {@link hasFields} checks them. */
export const wireConfigFields = {
  issuer: 'string',
  clientId: 'string',
  redirectUri: 'string',
  scope: 'string',
  postLogoutRedirectUri: 'string?',
  allowInsecureRequests: 'boolean',
  authorizationParams: 'object',
  refreshLeewaySeconds: 'finite',
  refreshRetries: 'number',
  timeoutSeconds: 'finite',
  lockWaitSeconds: 'finite',
  clockToleranceSeconds: 'finite',
  metadata: 'object?',
  dpop: 'boolean',
  par: 'boolean',
  resources: 'strings',
  accessTokenInWorker: 'boolean',
  allowedOrigins: 'strings',
  serviceWorkers: 'strings',
}

/** The wire form of resolved options and the isolation plug-in's settings. */
export function wireConfig(
  config: ResolvedOptions,
  { accessTokenInWorker, allowedOrigins, serviceWorkers }: Pick<WireConfig, 'accessTokenInWorker' | 'allowedOrigins' | 'serviceWorkers'>,
): WireConfig {
  return {
    issuer: config.issuer.href,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    scope: config.scope,
    postLogoutRedirectUri: config.postLogoutRedirectUri,
    allowInsecureRequests: config.allowInsecureRequests,
    authorizationParams: config.authorizationParams,
    refreshLeewaySeconds: config.refreshLeewaySeconds,
    refreshRetries: config.refreshRetries,
    timeoutSeconds: config.timeoutSeconds,
    lockWaitSeconds: config.lockWaitMs / 1000,
    clockToleranceSeconds: config.client[oauth.clockTolerance] as number,
    metadata: config.metadata,
    dpop: config.dpop !== undefined,
    par: config.par !== undefined,
    resources: (config.resource as { resources?: string[] } | undefined)?.resources ?? [],
    accessTokenInWorker,
    allowedOrigins,
    serviceWorkers,
  }
}
