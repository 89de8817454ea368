// Provider profiles: the mock answers as a given real provider documents it answers. Each behaviour
// cites the provider's own documentation; where none was found, the comment says so and the
// behaviour is the conservative one (the one a client must cope with anyway).
//
// A profile gives: where the issuer and each endpoint live (paths on the mock's own origin; the real
// hosts differ), the metadata it publishes, config defaults (rotation, reuse, iss), extra callback
// parameters, the body of a refused refresh, and how its logout works.

/** Every endpoint a profile can place somewhere else; `null`: the provider has none. */
const CANONICAL = {
  discovery: '/.well-known/openid-configuration',
  authorize: '/authorize',
  token: '/token',
  jwks: '/jwks',
  userinfo: '/userinfo',
  revoke: '/revoke',
  endSession: '/end-session',
};

const rfc6749InvalidGrant = (description) => ({ status: 400, body: { error: 'invalid_grant', error_description: description } });

export const PROFILES = {
  // The strict mock of the other specs: RFC 9207 iss, rotation with reuse detection, RFC 7009, RP-Initiated Logout.
  default: {
    issuerPath: '',
    paths: CANONICAL,
    config: {},
    refusedRefresh: () => rfc6749InvalidGrant('refresh token is not active'),
  },

  keycloak: {
    // Issuer per realm: https://<host>/realms/<realm>, endpoints under protocol/openid-connect.
    // https://www.keycloak.org/securing-apps/oidc-layers ("Keycloak server OIDC URI endpoints")
    issuerPath: '/realms/pixie',
    paths: {
      ...CANONICAL,
      authorize: '/protocol/openid-connect/auth',
      token: '/protocol/openid-connect/token',
      jwks: '/protocol/openid-connect/certs',
      userinfo: '/protocol/openid-connect/userinfo',
      revoke: '/protocol/openid-connect/revoke',
      endSession: '/protocol/openid-connect/logout',
    },
    config: {
      // A refresh returns a new refresh token; the old one stays valid unless the realm turns on
      // "Revoke Refresh Token" (a flag, off unless set): Keycloak's Server Administration guide,
      // "Session and Token Timeouts" (mirror: https://wjw465150.gitbooks.io/keycloak-documentation/server_admin/topics/sessions/timeouts.html)
      rotateRefreshTokens: true,
      keepRotatedRefreshTokens: true,
      // Sends RFC 9207 `iss` and publishes authorization_response_iss_parameter_supported since
      // Keycloak 22, unless the client's "Exclude Issuer From Authentication Response" switch is on:
      // https://github.com/keycloak/keycloak/pull/20621 (merged), https://github.com/keycloak/keycloak/issues/20584
      includeIss: true,
    },
    // Keycloak adds session_state to the authorization response (OIDC Session Management 1.0 §3,
    // which Keycloak implements); no Keycloak page found that lists it. A client must ignore
    // unknown response parameters anyway (RFC 6749 §4.1.2).
    callbackParams: (session) => ({ session_state: session.id }),
    // No Keycloak document found for its refused-refresh body: the RFC 6749 §5.2 form.
    refusedRefresh: () => rfc6749InvalidGrant('Token is not active'),
  },

  auth0: {
    // The issuer is https://<tenant>.auth0.com/ with a trailing slash, as Auth0's discovery document
    // states it. No Auth0 page found that says so in words: the mock keeps the slash, the stricter
    // case for a client (issuer compared exactly, discovery URL built without a double slash).
    issuerPath: '/',
    paths: {
      ...CANONICAL,
      token: '/oauth/token',
      jwks: '/.well-known/jwks.json',
      revoke: '/oauth/revoke',
      // GET /oidc/logout with id_token_hint, client_id, post_logout_redirect_uri, state; published as
      // end_session_endpoint once "RP-Initiated Logout End Session Endpoint Discovery" is on:
      // https://auth0.com/docs/api/authentication/logout/oidc-logout
      // https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0
      endSession: '/oidc/logout',
    },
    config: {
      // Rotation with reuse detection, and a "Reuse Interval" during which only the previous token
      // may be exchanged again, for a new one, without breach detection:
      // https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-rotation
      // Its value is the tenant's choice (no default found): 5 s here.
      rotateRefreshTokens: true,
      refreshTokenReuseInterval: 5,
      // No Auth0 document found on RFC 9207 `iss` in the authorization response: conservative, not sent.
      includeIss: false,
    },
    // A dead refresh token is a 403, not a 400:
    // https://community.auth0.com/t/troubleshoot-refresh-token-unknown-or-invalid-before-expiry-403-unknown-or-invalid-refresh-token/120406
    refusedRefresh: () => ({ status: 403, body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' } }),
  },

  okta: {
    // The default custom authorization server: issuer https://<org>.okta.com/oauth2/default,
    // endpoints under it at /v1/...: https://developer.okta.com/docs/concepts/auth-servers
    // https://developer.okta.com/docs/guides/oie-embedded-common-download-setup-app/android/main/ ("Issuer")
    issuerPath: '/oauth2/default',
    paths: {
      ...CANONICAL,
      authorize: '/v1/authorize',
      token: '/v1/token',
      jwks: '/v1/keys',
      userinfo: '/v1/userinfo',
      revoke: '/v1/revoke',
      endSession: '/v1/logout',
    },
    config: {
      // Rotation is the default for SPAs; reuse revokes everything issued since the login, and a
      // grace period keeps the previous token valid for a while after rotation:
      // https://developer.okta.com/docs/guides/refresh-tokens/refresh-token-rotation/
      // Default grace ("leeway") 30 s: https://github.com/okta/okta-sdk-dotnet/blob/master/docs/OpenIdConnectApplicationSettingsRefreshToken.md
      rotateRefreshTokens: true,
      refreshTokenReuseInterval: 30,
      // No Okta document found on RFC 9207 `iss`: conservative, not sent.
      includeIss: false,
    },
    // No Okta page found that says whether /v1/logout works without id_token_hint: conservative,
    // it is required here (pixie-auth always sends it).
    logout: { requireIdTokenHint: true },
    // https://support.okta.com/help/s/article/okta-refresh-token-invalid-or-expired-error-error-invalid-grant-error-description-the-refresh-token-is-invalid-or-expired
    refusedRefresh: () => rfc6749InvalidGrant('The refresh token is invalid or expired.'),
  },

  entra: {
    // Microsoft Entra ID v2: issuer https://login.microsoftonline.com/<tenant>/v2.0; every endpoint
    // but UserInfo under the tenant authority, /<tenant>/oauth2/v2.0/...:
    // https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc
    issuerPath: '/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
    paths: {
      ...CANONICAL,
      authorize: '/../oauth2/v2.0/authorize',
      token: '/../oauth2/v2.0/token',
      jwks: '/../discovery/v2.0/keys',
      userinfo: '/../oidc/userinfo',
      // No RFC 7009 revocation endpoint in Entra's metadata (none found in its docs): none here.
      revoke: null,
      endSession: '/../oauth2/v2.0/logout',
    },
    config: {
      // "Refresh tokens replace themselves with a fresh token upon every use. The Microsoft identity
      // platform doesn't revoke old refresh tokens when used": SPA refresh tokens rotate, the old one
      // stays valid (24 h for SPAs):
      // https://learn.microsoft.com/entra/identity-platform/refresh-tokens
      rotateRefreshTokens: true,
      keepRotatedRefreshTokens: true,
      // No Microsoft document found that Entra sends RFC 9207 `iss`: conservative, not sent.
      includeIss: false,
    },
    // Without logout_hint the sign-out shows an account picker; logout_hint skips it. The state is
    // handed back on the redirect to post_logout_redirect_uri:
    // https://azuread.github.io/microsoft-authentication-library-for-js/ref/types/_azure_msal_common.CommonEndSessionRequest.html
    logout: { accountPicker: true },
    // 400 invalid_grant with AADSTS details, error_codes, timestamp, trace_id, correlation_id:
    // https://learn.microsoft.com/entra/identity-platform/reference-error-codes
    refusedRefresh: () => ({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: 'AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.',
        error_codes: [700084],
        timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
        trace_id: '00000000-0000-0000-0000-000000000000',
        correlation_id: '00000000-0000-0000-0000-000000000000',
        error_uri: 'https://login.microsoftonline.com/error?code=700084',
      },
    }),
  },

  cognito: {
    // The issuer is https://cognito-idp.<region>.amazonaws.com/<pool-id>; the OAuth endpoints live on
    // the pool's domain under /oauth2 (here: the same origin):
    // https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
    issuerPath: '/us-east-1_PixieE2E',
    paths: {
      ...CANONICAL,
      authorize: '/../oauth2/authorize',
      token: '/../oauth2/token',
      jwks: '/.well-known/jwks.json',
      userinfo: '/../oauth2/userInfo',
      // Revokes the refresh token and the tokens issued with it:
      // https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
      revoke: '/../oauth2/revoke',
      // No RP-Initiated Logout endpoint: sign-out is GET /logout?client_id=...&logout_uri=... (below).
      endSession: null,
    },
    config: {
      // Without refresh token rotation (the default), a refresh returns new ID and access tokens
      // only; the same refresh token is used again:
      // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html
      rotateRefreshTokens: false,
      // No Cognito document found on RFC 9207 `iss`: conservative, not sent.
      includeIss: false,
    },
    // /logout takes client_id and logout_uri (one of the app client's "Allowed sign-out URLs") and
    // redirects there: https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
    // Since February 2024 the metadata publishes it as end_session_endpoint, though it still takes
    // logout_uri, not post_logout_redirect_uri: https://github.com/swisstopo/swissgeol-boreholes-suite/pull/1066
    // (review thread), https://github.com/lakekeeper/console/issues/198 (2026, the same parameters).
    cognitoLogoutPath: '/../logout',
    // No Cognito document found for its refused-refresh body: the RFC 6749 §5.2 form.
    refusedRefresh: () => ({ status: 400, body: { error: 'invalid_grant' } }),
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES);

/** The issuer of `profile` on the mock at `origin` (exactly as its metadata and ID tokens state it). */
export function issuerOf(origin, profile) {
  return origin + PROFILES[profile].issuerPath;
}

/** The absolute path of an endpoint: `/..` climbs out of the issuer path (Entra's tenant, Cognito's domain). */
function endpointPath(issuerPath, relative) {
  const base = issuerPath.replace(/\/$/, '');
  if (!relative.startsWith('/..')) return base + relative;
  return base.slice(0, base.lastIndexOf('/')) + relative.slice(3);
}

/** Where each endpoint of `profile` lives, as absolute paths; absent ones are left out. */
export function endpointPaths(profile) {
  const { issuerPath, paths } = PROFILES[profile];
  const result = {};
  for (const [name, relative] of Object.entries(paths)) {
    if (relative !== null) result[name] = endpointPath(issuerPath, relative);
  }
  if (PROFILES[profile].cognitoLogoutPath) result.cognitoLogout = endpointPath(issuerPath, PROFILES[profile].cognitoLogoutPath);
  return result;
}
