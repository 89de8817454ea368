// Where the e2e servers listen, and HTTP clients for their control endpoints: the mock provider's
// /__control/ and oidc-provider's /__test/. Free of Playwright, so the Playwright specs (through
// helpers.ts and oidc-provider/fixtures.ts) and the cross-engine suite (e2e/engines/) share one copy.
import type { ReuseEvent } from './provider/mock-provider.mjs'

export type { ReuseEvent }

export const PROVIDER = 'http://127.0.0.1:4010'
/** The harness app (e2e/app/) on vite's dev server. */
export const APP = 'http://localhost:5173'
export const CALLBACK_URL = `${APP}/callback.html`
export const LOGGED_OUT_URL = `${APP}/logged-out.html`
export const CLIENT_ID = 'pixie-e2e'
/** The mock provider's user. */
export const USER_SUB = 'user-ada'
/** Key under which the harness reads client config overrides (JSON, merged over its defaults). */
export const APP_CONFIG_KEY = 'pixie-e2e-config'
/** oidc-provider (e2e/oidc-provider/server.mjs): DPoP with nonces required, rotating refresh tokens. */
export const OP = 'http://127.0.0.1:4020'

export interface ProviderConfig {
  profile?: 'default' | 'keycloak' | 'auth0' | 'okta' | 'entra' | 'cognito'
  keepRotatedRefreshTokens?: boolean
  refreshTokenReuseInterval?: number
  accessTokenTtl?: number
  idTokenTtl?: number
  refreshTokenTtl?: number
  rotateRefreshTokens?: boolean
  issueRefreshToken?: boolean
  autoApprove?: boolean
  includeIss?: boolean
  clockOffsetSeconds?: number
  revocationEndpoint?: boolean
  endSessionEndpoint?: boolean
  user?: Record<string, unknown>
  [key: string]: unknown
}

export interface Fault {
  endpoint: 'token' | 'revoke' | 'userinfo' | 'api' | 'authorize' | 'discovery'
  grantType?: 'authorization_code' | 'refresh_token'
  times?: number
  type: 'status' | 'delay' | 'drop' | 'truncate' | 'invalid_grant' | 'body' | 'id_token_claims'
  status?: number
  delayMs?: number
  /** For 'truncate': how long the answer stalls mid-body before its connection drops. */
  stallMs?: number
  body?: unknown
  /** null: no Content-Type header at all. */
  contentType?: string | null
  /** For 'status': response headers, e.g. a `WWW-Authenticate` challenge. */
  headers?: Record<string, string>
  claims?: Record<string, unknown>
  /** For 'delay': whether a request whose client went away is still processed (default) or abandoned. */
  ifClientGone?: 'process' | 'abandon'
}

export interface ProviderLogEntry {
  t: number
  method: string
  path: string
  grantType?: string
  status: number
}

export interface ProviderStats {
  tokenRequests: { authorization_code: number; refresh_token: number; total: number }
  reuseDetections: number
  /** Each reuse detection, with what shows a response lost in flight. */
  reuseEvents: ReuseEvent[]
  revocations: number
  endSessions: number
  lastEndSession: unknown
  userinfoRequests: number
  apiRequests: number
  authorizeRequests: number
  faultsServed: number
  pendingFaults: number
  activeRefreshTokens: number
  log: ProviderLogEntry[]
}

export type RefreshTokenState = 'active' | 'rotated' | 'revoked' | 'unknown'

async function control<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${PROVIDER}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`mock provider ${path} -> HTTP ${res.status}: ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

/** Resets all provider state (tokens, stats, faults, log) and applies `config` over its defaults. */
export async function resetProvider(config?: ProviderConfig): Promise<void> {
  await control('/__control/reset', { config: config ?? {} })
}

/** Merges `config` into the provider's current config, keeping its state. */
export async function setProviderConfig(config: ProviderConfig): Promise<void> {
  await control('/__control/config', config)
}

export async function injectFault(fault: Fault | Fault[]): Promise<void> {
  await control('/__control/faults', fault)
}

export async function getStats(): Promise<ProviderStats> {
  return control<ProviderStats>('/__control/stats')
}

export async function refreshTokenStatus(token: string): Promise<RefreshTokenState> {
  const res = await control<{ state: RefreshTokenState }>(
    `/__control/refresh-token-status?token=${encodeURIComponent(token)}`,
  )
  return res.state
}

/** The last token response the provider issued, with when (local ms). */
export interface IssuedTokens {
  access_token: string
  refresh_token?: string
  id_token?: string
  token_type: string
  scope?: string
  expires_in: number
  issuedAtMs: number
}

/** The last token response the provider issued, or null: what a Bearer client in the isolation worker holds. */
export async function lastIssuedTokens(): Promise<IssuedTokens | null> {
  return control<IssuedTokens | null>('/__control/last-tokens')
}

/** Every refresh token the mock provider issued since its last reset (rotated and revoked ones too). */
export async function issuedRefreshTokens(): Promise<string[]> {
  return (await control<{ tokens: string[] }>('/__control/refresh-tokens')).tokens
}

// ---------------------------------------------------------------------------------------------
// oidc-provider test routes
// ---------------------------------------------------------------------------------------------

/** Counters the server keeps from oidc-provider's events (see server.mjs). */
export interface OpStats {
  tokenRequests: { authorization_code: number; refresh_token: number; total: number }
  tokenErrors: Record<string, number>
  refreshTokensConsumed: number
  grantsRevoked: number
  endSessions: number
  pushedAuthorizationRequests: number
  authorizationErrors: Record<string, number>
  serverErrors: number
}

async function opControl<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${OP}/__test/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  })
  if (!response.ok) throw new Error(`oidc-provider ${path} -> HTTP ${response.status}: ${await response.text()}`)
  return (await response.json()) as T
}

/** oidc-provider's last token response (tokens, expires_in, and when), or null: see `lastIssuedTokens`. */
export const opLastTokens = () => opControl<IssuedTokens | null>('last-tokens')

/** Zeroes oidc-provider's counters and sets the lifetime (s) of the access tokens it issues next. */
export const resetOp = (accessTokenTtl: number) => opControl('reset', { accessTokenTtl })

export const opStats = () => opControl<OpStats>('stats')

/** What the server knows of a refresh token: 'consumed' once rotated, 'unknown' once revoked. */
export const refreshTokenState = async (token: string) =>
  (await opControl<{ state: 'active' | 'consumed' | 'unknown' }>(`refresh-token?token=${encodeURIComponent(token)}`)).state
