// Types for mock-provider.mjs, so TypeScript tests can import it under strict settings.

/** The real providers the mock can answer as (profiles.mjs). */
export type MockProviderProfile = 'default' | 'keycloak' | 'auth0' | 'okta' | 'entra' | 'cognito';

export interface MockProviderConfig {
  /** Which real provider to answer as; its config defaults apply under the rest of the patch. */
  profile: MockProviderProfile;
  /** Seconds. */
  accessTokenTtl: number;
  idTokenTtl: number;
  refreshTokenTtl: number;
  codeTtl: number;
  rotateRefreshTokens: boolean;
  /** After a rotation the previous refresh token stays valid. */
  keepRotatedRefreshTokens: boolean;
  /** Seconds after a rotation during which the previous token may be exchanged again without reuse detection. */
  refreshTokenReuseInterval: number;
  issueRefreshToken: boolean;
  autoApprove: boolean;
  includeIss: boolean;
  /** Added to the server's clock for iat/exp/auth_time and every expiry check. */
  clockOffsetSeconds: number;
  /** Only hides the endpoint from discovery metadata. */
  revocationEndpoint: boolean;
  /** Only hides the endpoint from discovery metadata. */
  endSessionEndpoint: boolean;
  user: { sub: string; name: string; email: string };
}

export type MockProviderConfigPatch = Partial<Omit<MockProviderConfig, 'user'>> & {
  user?: Partial<MockProviderConfig['user']>;
};

export interface MockClient {
  client_id: string;
  token_endpoint_auth_method: 'none';
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
}

export type FaultEndpoint = 'token' | 'revoke' | 'userinfo' | 'api' | 'authorize' | 'discovery';

export type Fault = {
  endpoint: FaultEndpoint;
  grantType?: 'authorization_code' | 'refresh_token';
  /** How many matching requests the fault hits; default 1. */
  times?: number;
} & (
  /** contentType null: no Content-Type header at all. */
  | { type: 'status'; status: number; body?: string; contentType?: string | null; headers?: Record<string, string> }
  | { type: 'delay'; delayMs: number; ifClientGone?: 'process' | 'abandon' }
  | { type: 'drop' }
  /** A 200 JSON answer cut mid-body, after stallMs (default 0) without a byte. */
  | { type: 'truncate'; stallMs?: number }
  | { type: 'invalid_grant' }
  | { type: 'body'; status?: number; body?: unknown; contentType?: string }
  | { type: 'id_token_claims'; claims: Record<string, unknown> }
);

export type RefreshTokenState = 'active' | 'rotated' | 'revoked' | 'expired' | 'unknown';

/** A refresh token presented again, and whether a response was provably lost in flight. */
export interface ReuseEvent {
  t: number;
  /** The refresh token presented again. */
  refreshToken: string;
  /** The reusing request's client had already closed the connection (it timed out and retried meanwhile). */
  requestAbandoned: boolean;
  /** The response that rotated the token never reached its client: the connection closed first. */
  rotationUndelivered: boolean;
}

export interface MockProviderStats {
  tokenRequests: { authorization_code: number; refresh_token: number; total: number };
  reuseDetections: number;
  /** Each reuse detection, with what shows a response lost in flight. */
  reuseEvents: ReuseEvent[];
  revocations: number;
  revokedTokens: Array<'refresh_token' | 'access_token' | 'unknown'>;
  endSessions: number;
  lastEndSession: Record<string, string> | null;
  userinfoRequests: number;
  apiRequests: number;
  authorizeRequests: number;
  faultsServed: number;
  pendingFaults: number;
  activeRefreshTokens: number;
  /** status is 0 when the response was dropped; droppedResend marks a browser resend swallowed after a 'drop'. */
  log: Array<{ t: number; method: string; path: string; grantType?: string; status: number; droppedResend?: boolean }>;
}

export interface MockProviderState {
  /** The issuer of the current profile: the origin, plus the profile's path. */
  readonly issuer: string;
  readonly origin: string;
  readonly config: MockProviderConfig;
  reset(config?: MockProviderConfigPatch): void;
  updateConfig(patch: MockProviderConfigPatch): void;
  refreshTokenState(token: string): RefreshTokenState;
  statsSnapshot(): MockProviderStats;
  /** Every refresh token issued since the last reset, by value. */
  readonly refreshTokens: Map<string, unknown>;
  /** Issues a refresh token of `family` (a test may wrap it to choose the tokens' values). */
  issueRefreshToken(family: unknown): string;
}

export interface MockProvider {
  /** The origin, http://127.0.0.1:<port>, no trailing slash: also the default profile's issuer. */
  url: string;
  /** Stops listening and destroys open sockets. */
  close(): Promise<void>;
  state: MockProviderState;
}

export interface MockProviderOptions {
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** '127.0.0.1' (default) or 'localhost'; anything else is refused. */
  host?: string;
  clients?: MockClient[];
  config?: MockProviderConfigPatch;
}

export function startMockProvider(options?: MockProviderOptions): Promise<MockProvider>;
