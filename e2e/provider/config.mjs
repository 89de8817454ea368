// Default configuration and clients, and validation of the patches tests send to change them.
import { OAuthError } from './http.mjs';
import { PROFILE_NAMES, PROFILES } from './profiles.mjs';

export const DEFAULT_CONFIG = Object.freeze({
  /** Which real provider to answer as (profiles.mjs); its config defaults apply under the test's patch. */
  profile: 'default',
  accessTokenTtl: 60,
  idTokenTtl: 300,
  refreshTokenTtl: 86400,
  codeTtl: 60,
  rotateRefreshTokens: true,
  /** After a rotation the previous refresh token stays valid (Entra, Keycloak's default). */
  keepRotatedRefreshTokens: false,
  /** Seconds after a rotation during which the previous token may be exchanged again without reuse detection (Auth0, Okta). */
  refreshTokenReuseInterval: 0,
  issueRefreshToken: true,
  autoApprove: false,
  includeIss: true,
  clockOffsetSeconds: 0,
  revocationEndpoint: true,
  endSessionEndpoint: true,
  user: Object.freeze({ sub: 'user-ada', name: 'Ada Lovelace', email: 'ada@example.com' }),
});

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'api'];

const REDIRECT_URIS = [
  'http://localhost:5173/callback.html',
  'http://localhost:5173/',
  'http://localhost:5174/',
  'http://localhost:5175/',
  'http://localhost:5176/',
  // The Next.js consumer app (consumers/next), whose redirect URIs are given as the paths '/callback' and '/isolated'.
  'http://localhost:5177/callback',
  'http://localhost:5177/isolated',
  // The vanilla consumer app under `vite dev` (5178) and the webpack consumer app (5179).
  'http://localhost:5178/',
  'http://localhost:5179/',
  'http://localhost:5173/other-callback.html',
  'http://localhost:5173/popup-callback.html',
  'http://localhost:5173/silent-callback.html',
  // The harness on the provider's own site (127.0.0.1): a silent login's iframe gets the provider's
  // SameSite=Lax session cookie only there, the browser blocking third-party cookies.
  'http://127.0.0.1:5173/popup-callback.html',
  'http://127.0.0.1:5173/silent-callback.html',
];

const POST_LOGOUT_REDIRECT_URIS = [
  'http://localhost:5173/',
  'http://localhost:5173/logged-out.html',
  'http://localhost:5174/',
  'http://localhost:5175/',
  'http://localhost:5176/',
  'http://localhost:5177/',
  'http://localhost:5178/',
  'http://localhost:5179/',
];

/** Both clients are public SPAs; 'pixie-demo' exists so the demo never shares state names with the tests. */
export const DEFAULT_CLIENTS = ['pixie-e2e', 'pixie-demo'].map((clientId) => ({
  client_id: clientId,
  token_endpoint_auth_method: 'none',
  redirect_uris: REDIRECT_URIS,
  post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
}));

const USER_FIELDS = ['sub', 'name', 'email'];

/**
 * Returns `base` with `patch` applied. Unknown keys and wrongly typed values are refused, so a
 * typo in a test fails loudly instead of silently testing the defaults.
 */
export function mergeConfig(base, patch) {
  if (patch === undefined || patch === null) return base;
  if (typeof patch !== 'object' || Array.isArray(patch)) throw configError('config must be an object');
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (!Object.hasOwn(DEFAULT_CONFIG, key)) throw configError(`unknown config key ${key}`);
    merged[key] = key === 'user' ? mergeUser(base.user, value) : checkedScalar(key, value);
  }
  if (!Object.hasOwn(PROFILES, merged.profile)) throw configError(`config.profile must be one of ${PROFILE_NAMES.join(', ')}`);
  return merged;
}

function checkedScalar(key, value) {
  const expected = typeof DEFAULT_CONFIG[key];
  if (typeof value !== expected || (expected === 'number' && !Number.isFinite(value))) {
    throw configError(`config.${key} must be a ${expected}`);
  }
  return value;
}

function mergeUser(base, patch) {
  if (typeof patch !== 'object' || patch === null) throw configError('config.user must be an object');
  for (const [key, value] of Object.entries(patch)) {
    if (!USER_FIELDS.includes(key) || typeof value !== 'string') {
      throw configError(`config.user.${key} is not a string field of ${USER_FIELDS.join(', ')}`);
    }
  }
  return { ...base, ...patch };
}

function configError(message) {
  return new OAuthError('invalid_request', message);
}
