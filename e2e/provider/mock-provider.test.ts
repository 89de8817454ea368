// Proves the mock provider is as strict as the e2e tests assume, over real HTTP with global fetch.
import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider, type Fault, type MockProvider, type MockProviderConfigPatch } from './mock-provider.mjs';

const CLIENT_ID = 'pixie-e2e';
const REDIRECT_URI = 'http://localhost:5173/callback.html';
const APP_ORIGIN = 'http://localhost:5173';

let provider: MockProvider;
let base: string;

beforeAll(async () => {
  provider = await startMockProvider({ port: 0 });
  base = provider.url;
});

afterAll(() => provider.close());

beforeEach(() => control('reset', { config: { autoApprove: true } }));

type Json = Record<string, any>;

async function control(name: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${base}/__control/${name}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.ok, `control ${name}: ${res.status}`).toBe(true);
  return res.json();
}

const queueFaults = (faults: Fault | Fault[]) => control('faults', faults);
const configure = (patch: MockProviderConfigPatch) => control('config', patch);
const stats = () => control('stats');
const refreshTokenState = async (token: string) =>
  (await control(`refresh-token-status?token=${encodeURIComponent(token)}`)).state;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Calls /authorize without following the redirect and returns the parsed Location. */
async function authorize(params: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/authorize?${new URLSearchParams(params)}`, { redirect: 'manual', headers });
  const location = res.headers.get('location');
  return { res, location: location ? new URL(location) : null };
}

function authorizationParams(challenge: string, extra: Record<string, string> = {}) {
  return {
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid profile email offline_access',
    state: 'st-1',
    nonce: 'n-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

async function getCode(extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const { location } = await authorize(authorizationParams(challenge, extra));
  const code = location?.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier };
}

async function postForm(path: string, form: Record<string, string>) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  return { res, status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as any };
}

function exchangeCode(code: string, verifier: string, redirectUri = REDIRECT_URI) {
  return postForm('/token', {
    grant_type: 'authorization_code', client_id: CLIENT_ID, code, code_verifier: verifier, redirect_uri: redirectUri,
  });
}

function refresh(refreshToken: string) {
  return postForm('/token', { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refreshToken });
}

async function signIn(extra: Record<string, string> = {}) {
  const { code, verifier } = await getCode(extra);
  const { status, body } = await exchangeCode(code, verifier);
  expect(status).toBe(200);
  return body as Json;
}

function userinfoStatus(accessToken: string) {
  return fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status);
}

function decodeJwt(jwt: string) {
  const [header, payload] = jwt.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload };
}

describe('discovery', () => {
  it('serves OIDC metadata whose issuer is the real loopback port', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(base).not.toBe('http://127.0.0.1:0');
    const oidc = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    const oauth = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    expect(oauth).toEqual(oidc);
    expect(oidc).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/jwks`,
      userinfo_endpoint: `${base}/userinfo`,
      revocation_endpoint: `${base}/revoke`,
      end_session_endpoint: `${base}/end-session`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('drops revocation and end-session endpoints when configured off', async () => {
    await configure({ revocationEndpoint: false, endSessionEndpoint: false });
    const metadata = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    expect(metadata).not.toHaveProperty('revocation_endpoint');
    expect(metadata).not.toHaveProperty('end_session_endpoint');
  });

  it('answers CORS preflights for loopback origins only', async () => {
    const preflight = (origin: string) => fetch(`${base}/token`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, dpop' },
    });
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization, content-type, dpop, accept');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('DPoP-Nonce, WWW-Authenticate, Retry-After');
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('authorization endpoint', () => {
  it('redirects back with code, state and iss', async () => {
    const { challenge } = pkce();
    const { res, location } = await authorize(authorizationParams(challenge));
    expect(res.status).toBe(302);
    expect(location!.origin + location!.pathname).toBe(REDIRECT_URI);
    expect(location!.searchParams.get('code')).toBeTruthy();
    expect(location!.searchParams.get('state')).toBe('st-1');
    expect(location!.searchParams.get('iss')).toBe(base);
    expect(res.headers.get('set-cookie')).toMatch(/^mock_sid=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  });

  it('omits iss when includeIss is false', async () => {
    await configure({ includeIss: false });
    const { location } = await authorize(authorizationParams(pkce().challenge));
    expect(location!.searchParams.has('iss')).toBe(false);
    const metadata = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    expect(metadata.authorization_response_iss_parameter_supported).toBe(false);
  });

  it('requires PKCE with S256', async () => {
    const { challenge } = pkce();
    const variants: Array<Record<string, string>> = [
      { code_challenge: '', code_challenge_method: '' },
      { code_challenge_method: 'plain' },
      { code_challenge: challenge, code_challenge_method: '' },
    ];
    for (const params of variants) {
      const query = Object.fromEntries(Object.entries(authorizationParams(challenge, params)).filter(([, v]) => v));
      const { location } = await authorize(query);
      expect(location!.searchParams.get('error')).toBe('invalid_request');
      expect(location!.searchParams.get('code')).toBeNull();
    }
  });

  it('matches redirect_uri exactly and shows an error page instead of redirecting', async () => {
    for (const redirectUri of [`${REDIRECT_URI}?x=1`, 'http://localhost:5173/callback.html/', 'http://localhost:5999/']) {
      const { res, location } = await authorize(authorizationParams(pkce().challenge, { redirect_uri: redirectUri }));
      expect(res.status).toBe(400);
      expect(location).toBeNull();
      expect(await res.text()).toContain('not registered');
    }
    const unknownClient = await authorize(authorizationParams(pkce().challenge, { client_id: 'nobody' }));
    expect(unknownClient.res.status).toBe(400);
  });

  it('shows a login page whose approve and deny buttons decide the outcome', async () => {
    await configure({ autoApprove: false });
    const page = await (await fetch(`${base}/authorize?${new URLSearchParams(authorizationParams(pkce().challenge))}`)).text();
    expect(page).toContain('<button id="approve"');
    expect(page).toContain('Sign in as Ada Lovelace');
    const interaction = /name="interaction" value="([^"]+)"/.exec(page)![1];
    const deny = await fetch(`${base}/authorize/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ interaction, decision: 'deny' }),
    });
    const denied = new URL(deny.headers.get('location')!);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-1');
    expect(denied.searchParams.get('iss')).toBe(base);
  });

  it('registers the popup and silent-login callback pages, also on the same-site origin 127.0.0.1:5173', async () => {
    for (const redirectUri of [
      'http://localhost:5173/popup-callback.html',
      'http://localhost:5173/silent-callback.html',
      'http://127.0.0.1:5173/popup-callback.html',
      'http://127.0.0.1:5173/silent-callback.html',
    ]) {
      const { location } = await authorize(authorizationParams(pkce().challenge, { redirect_uri: redirectUri }));
      expect(`${location?.origin}${location?.pathname}`).toBe(redirectUri);
      expect(location?.searchParams.get('code')).toBeTruthy();
    }
    const { res } = await authorize(authorizationParams(pkce().challenge, { redirect_uri: 'http://127.0.0.1:5173/callback.html' }));
    expect(res.status).toBe(400);
  });

  it('supports prompt=none: login_required without a session, a code with one', async () => {
    const silent = authorizationParams(pkce().challenge, { prompt: 'none' });
    const withoutSession = await authorize(silent);
    expect(withoutSession.location!.searchParams.get('error')).toBe('login_required');

    const first = await authorize(authorizationParams(pkce().challenge));
    const cookie = first.res.headers.get('set-cookie')!.split(';')[0];
    const withSession = await authorize(silent, { cookie });
    expect(withSession.location!.searchParams.get('code')).toBeTruthy();
    const tooOld = await authorize({ ...silent, max_age: '0' }, { cookie });
    expect(tooOld.location!.searchParams.get('error')).toBe('login_required');
  });
});

describe('token endpoint: authorization_code', () => {
  it('issues tokens with no-store when PKCE verifies', async () => {
    const { code, verifier } = await getCode();
    const { res, body } = await exchangeCode(code, verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 60, scope: 'openid profile email offline_access' });
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.refresh_token).toBeTruthy();
    expect(body.id_token).toBeTruthy();
  });

  it('rejects a wrong code_verifier with invalid_grant', async () => {
    const { code } = await getCode();
    const { status, body } = await exchangeCode(code, pkce().verifier);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a redirect_uri that differs from the authorization request', async () => {
    const { code, verifier } = await getCode();
    const { status, body } = await exchangeCode(code, verifier, 'http://localhost:5173/');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('accepts a code once and revokes its tokens when it is replayed', async () => {
    const { code, verifier } = await getCode();
    const first = await exchangeCode(code, verifier);
    expect(first.status).toBe(200);
    const replay = await exchangeCode(code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect(await userinfoStatus(first.body.access_token)).toBe(401);
    expect(await refreshTokenState(first.body.refresh_token)).toBe('revoked');
  });

  it('refuses unknown clients with 401 invalid_client', async () => {
    const { code, verifier } = await getCode();
    const { status, body } = await postForm('/token', {
      grant_type: 'authorization_code', client_id: 'nobody', code, code_verifier: verifier, redirect_uri: REDIRECT_URI,
    });
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('issues no refresh token without offline_access or when issueRefreshToken is false', async () => {
    expect((await signIn({ scope: 'openid' })).refresh_token).toBeUndefined();
    await configure({ issueRefreshToken: false });
    expect((await signIn()).refresh_token).toBeUndefined();
  });
});

describe('ID tokens', () => {
  it('are RS256 JWTs that verify with the JWKS key and carry the expected claims', async () => {
    const { id_token: idToken } = await signIn();
    const { keys } = await (await fetch(`${base}/jwks`)).json();
    const { header, payload } = decodeJwt(idToken);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: keys[0].kid });
    const [h, p, signature] = idToken.split('.');
    const publicKey = createPublicKey({ key: keys[0] as JsonWebKey, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(verify('sha256', Buffer.from(`${h}.${p}x`), publicKey, Buffer.from(signature, 'base64url'))).toBe(false);
    expect(payload).toMatchObject({
      iss: base, sub: 'user-ada', aud: CLIENT_ID, azp: CLIENT_ID, nonce: 'n-1', name: 'Ada Lovelace', email: 'ada@example.com',
    });
    expect(payload.exp - payload.iat).toBe(300);
  });

  it('keep sub and auth_time on refresh and carry no nonce', async () => {
    const first = await signIn();
    const refreshed = await refresh(first.refresh_token);
    const before = decodeJwt(first.id_token).payload;
    const after = decodeJwt(refreshed.body.id_token).payload;
    expect(after).toMatchObject({ iss: before.iss, aud: before.aud, sub: before.sub, auth_time: before.auth_time });
    expect(after).not.toHaveProperty('nonce');
  });

  it('use the skewed server clock', async () => {
    await configure({ clockOffsetSeconds: 3600 });
    const { iat } = decodeJwt((await signIn()).id_token).payload;
    expect(iat - Date.now() / 1000).toBeGreaterThan(3500);
  });
});

describe('token endpoint: refresh_token', () => {
  it('rotates: returns a new refresh token and marks the old one rotated', async () => {
    const { refresh_token: old } = await signIn();
    const { status, body } = await refresh(old);
    expect(status).toBe(200);
    expect(body.refresh_token).toBeTruthy();
    expect(body.refresh_token).not.toBe(old);
    expect(await refreshTokenState(old)).toBe('rotated');
    expect(await refreshTokenState(body.refresh_token)).toBe('active');
  });

  it('detects reuse of a rotated refresh token and revokes the whole family', async () => {
    const { refresh_token: old } = await signIn();
    const rotated = (await refresh(old)).body;
    const reuse = await refresh(old);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect(await refreshTokenState(rotated.refresh_token)).toBe('revoked');
    expect(await userinfoStatus(rotated.access_token)).toBe(401);
    expect((await stats()).reuseDetections).toBe(1);
    expect((await refresh(rotated.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('tells a reuse after a response lost in flight from any other', async () => {
    const { refresh_token: plain } = await signIn();
    await refresh(plain);
    await refresh(plain);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    /** A refresh whose client gives up after 100 ms, while the server answers after 300 ms. */
    const abandonedRefresh = async (token: string) => {
      await queueFaults({ endpoint: 'token', grantType: 'refresh_token', type: 'delay', delayMs: 300 });
      const outcome = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: token }),
        signal: AbortSignal.timeout(100),
      }).catch(() => 'timed out');
      expect(outcome).toBe('timed out');
    };
    // The client retries at once, before the server processes the abandoned request.
    const { refresh_token: retriedAtOnce } = await signIn();
    await abandonedRefresh(retriedAtOnce);
    expect((await refresh(retriedAtOnce)).status).toBe(200);
    await sleep(400);
    // The client retries after the server processed the abandoned request and answered no one.
    const { refresh_token: retriedLater } = await signIn();
    await abandonedRefresh(retriedLater);
    await sleep(400);
    expect((await refresh(retriedLater)).status).toBe(400);

    expect((await stats()).reuseEvents).toMatchObject([
      { requestAbandoned: false, rotationUndelivered: false },
      { requestAbandoned: true, rotationUndelivered: false },
      { requestAbandoned: false, rotationUndelivered: true },
    ]);
  });

  it('returns no refresh token and keeps the old one valid when rotation is off', async () => {
    await configure({ rotateRefreshTokens: false });
    const { refresh_token: token } = await signIn();
    const first = await refresh(token);
    expect(first.status).toBe(200);
    expect(first.body).not.toHaveProperty('refresh_token');
    expect(await refreshTokenState(token)).toBe('active');
    expect((await refresh(token)).status).toBe(200);
  });

  it('counts token requests per grant type', async () => {
    await refresh((await signIn()).refresh_token);
    expect((await stats()).tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1, total: 2 });
  });
});

describe('faults', () => {
  it("'status' answers instead of processing, so the refresh token is not consumed", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults({ endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 503, body: 'down' });
    const { status, body } = await refresh(token);
    expect(status).toBe(503);
    expect(body).toBe('down');
    expect(await refreshTokenState(token)).toBe('active');
    expect((await stats()).faultsServed).toBe(1);
  });

  it("'status' answers with the given headers, e.g. a WWW-Authenticate challenge, without checking the token", async () => {
    const { access_token: token } = await signIn();
    const challenge = 'Bearer error="invalid_token", error_description="injected"';
    await queueFaults({ endpoint: 'api', type: 'status', status: 401, headers: { 'WWW-Authenticate': challenge } });
    const res = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(challenge);
    // Used up: the same token works again.
    expect((await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("'status' with contentType null sends no Content-Type, and Retry-After is readable cross-origin", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults([
      { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 400, contentType: null },
      { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 429, headers: { 'Retry-After': '2' } },
    ]);
    const bare = await refresh(token);
    expect(bare.status).toBe(400);
    expect(bare.res.headers.get('content-type')).toBeNull();
    expect(bare.body).toBe('');
    const limited = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { origin: APP_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: token }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('access-control-expose-headers')).toMatch(/\bRetry-After\b/);
    expect(await refreshTokenState(token)).toBe('active');
  });

  it("refuses a 'status' fault whose headers are not strings", async () => {
    const res = await fetch(`${base}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify({ endpoint: 'api', type: 'status', status: 401, headers: { 'WWW-Authenticate': 1 } }),
    });
    expect(res.status).toBe(400);
    expect((await stats()).pendingFaults).toBe(0);
  });

  it("'delay' waits and then processes the request", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults({ endpoint: 'token', type: 'delay', delayMs: 300 });
    const started = Date.now();
    const { status } = await refresh(token);
    expect(status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await refreshTokenState(token)).toBe('rotated');
  });

  it("'delay' with ifClientGone 'abandon' drops the request if the client went away meanwhile", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults({ endpoint: 'token', type: 'delay', delayMs: 300, ifClientGone: 'abandon' });
    const request = fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: token }),
      signal: AbortSignal.timeout(100),
    });
    await expect(request).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await refreshTokenState(token)).toBe('active');
  });

  it("'delay' with ifClientGone 'abandon' still answers a client that waited", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults({ endpoint: 'token', type: 'delay', delayMs: 100, ifClientGone: 'abandon' });
    expect((await refresh(token)).status).toBe(200);
    expect(await refreshTokenState(token)).toBe('rotated');
  });

  it("'drop' closes the connection without an answer and without processing", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults({ endpoint: 'token', type: 'drop' });
    await expect(refresh(token)).rejects.toThrow();
    expect(await refreshTokenState(token)).toBe('active');
    expect((await stats()).log.at(-1)).toMatchObject({ path: '/token', grantType: 'refresh_token', status: 0 });
  });

  it("'drop' also swallows a browser's immediate resend of the dropped request, once", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults({ endpoint: 'token', type: 'drop' });
    await expect(refresh(token)).rejects.toThrow();
    await expect(refresh(token)).rejects.toThrow();
    const after = await stats();
    expect(after).toMatchObject({ faultsServed: 1, tokenRequests: { refresh_token: 1 } });
    expect(after.log.at(-1)).toMatchObject({ path: '/token', status: 0, droppedResend: true });
    expect(await refreshTokenState(token)).toBe('active');
    expect((await refresh(token)).status).toBe(200);
  });

  it("'invalid_grant' answers 400 invalid_grant without processing", async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults({ endpoint: 'token', type: 'invalid_grant' });
    const { status, body } = await refresh(token);
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'invalid_grant', error_description: 'injected' });
    expect(await refreshTokenState(token)).toBe('active');
  });

  it("'body' sends exactly the given body, raw strings and JSON values alike", async () => {
    await queueFaults([
      { endpoint: 'discovery', type: 'body', body: '{not json', contentType: 'text/html' },
      { endpoint: 'userinfo', type: 'body', status: 201, body: { sub: 'forged' } },
    ]);
    const discovery = await fetch(`${base}/.well-known/openid-configuration`);
    expect(discovery.headers.get('content-type')).toBe('text/html');
    expect(await discovery.text()).toBe('{not json');
    const userinfo = await fetch(`${base}/userinfo`);
    expect(userinfo.status).toBe(201);
    expect(await userinfo.json()).toEqual({ sub: 'forged' });
  });

  it("'id_token_claims' merges claims into the ID token and null deletes one", async () => {
    await queueFaults({ endpoint: 'token', type: 'id_token_claims', claims: { iss: 'https://evil.example', nonce: null } });
    const { payload } = decodeJwt((await signIn()).id_token);
    expect(payload.iss).toBe('https://evil.example');
    expect(payload).not.toHaveProperty('nonce');
    expect(payload.sub).toBe('user-ada');
  });

  it('match on endpoint and grantType, in FIFO order, for `times` requests', async () => {
    const { refresh_token: token } = await signIn();
    await queueFaults([
      { endpoint: 'token', grantType: 'authorization_code', type: 'status', status: 500 },
      { endpoint: 'token', grantType: 'refresh_token', type: 'status', status: 502, times: 2 },
      { endpoint: 'token', type: 'status', status: 504 },
    ]);
    expect((await refresh(token)).status).toBe(502);
    expect((await refresh(token)).status).toBe(502);
    expect((await refresh(token)).status).toBe(504);
    expect((await stats()).pendingFaults).toBe(1);
    expect((await refresh(token)).status).toBe(200);
  });

  it('refuses malformed faults', async () => {
    const res = await fetch(`${base}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify({ endpoint: 'token', type: 'explode' }),
    });
    expect(res.status).toBe(400);
  });
});

describe('revocation', () => {
  it('revoking a refresh token revokes its family', async () => {
    const tokens = await signIn();
    const { status } = await postForm('/revoke', {
      token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: CLIENT_ID,
    });
    expect(status).toBe(200);
    expect(await refreshTokenState(tokens.refresh_token)).toBe('revoked');
    expect(await userinfoStatus(tokens.access_token)).toBe(401);
    expect(await stats()).toMatchObject({ revocations: 1, revokedTokens: ['refresh_token'], activeRefreshTokens: 0 });
  });

  it('answers 200 for unknown tokens', async () => {
    const { status } = await postForm('/revoke', { token: 'nope', client_id: CLIENT_ID });
    expect(status).toBe(200);
  });
});

describe('protected resources', () => {
  it('userinfo and /api/me accept a valid token and refuse others with a Bearer challenge', async () => {
    const { access_token: token } = await signIn();
    const headers = { authorization: `Bearer ${token}` };
    expect(await (await fetch(`${base}/userinfo`, { headers })).json()).toEqual({
      sub: 'user-ada', name: 'Ada Lovelace', email: 'ada@example.com',
    });
    expect(await (await fetch(`${base}/api/me`, { headers })).json()).toMatchObject({
      sub: 'user-ada', message: 'hello from the protected API', tokenSuffix: token.slice(-6),
    });
    const bad = await fetch(`${base}/api/me`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('/api/echo returns what a POST carried, behind the same token check and faults as /api/me', async () => {
    const { access_token: token } = await signIn();
    const post = () => fetch(`${base}/api/echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"order":42}',
    });
    expect(await (await post()).json()).toEqual({
      sub: 'user-ada', method: 'POST', contentType: 'application/json', body: '{"order":42}', tokenSuffix: token.slice(-6),
    });
    await queueFaults({ endpoint: 'api', type: 'status', status: 500 });
    expect((await post()).status).toBe(500);
    const anonymous = await fetch(`${base}/api/echo`, { method: 'POST', body: 'x' });
    expect(anonymous.status).toBe(401);
    expect((await stats()).apiRequests).toBe(3);
  });

  it('access tokens expire on the server clock', async () => {
    const { access_token: token } = await signIn();
    await configure({ clockOffsetSeconds: 61 });
    expect(await userinfoStatus(token)).toBe(401);
  });
});

describe('end-session', () => {
  it('redirects to a registered post_logout_redirect_uri with state and clears the session', async () => {
    const { id_token: idToken } = await signIn();
    const query = new URLSearchParams({
      id_token_hint: idToken, post_logout_redirect_uri: 'http://localhost:5173/logged-out.html', state: 'bye',
    });
    const res = await fetch(`${base}/end-session?${query}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://localhost:5173/logged-out.html?state=bye');
    expect(res.headers.get('set-cookie')).toMatch(/^mock_sid=;.*Max-Age=0/);
    expect(await stats()).toMatchObject({ endSessions: 1, lastEndSession: { state: 'bye', id_token_hint: idToken } });
  });

  it('refuses an unregistered post_logout_redirect_uri with a 400 page', async () => {
    const query = new URLSearchParams({ client_id: CLIENT_ID, post_logout_redirect_uri: 'http://localhost:5173/evil.html' });
    const res = await fetch(`${base}/end-session?${query}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses an id_token_hint it did not issue', async () => {
    const { id_token: idToken } = await signIn();
    const forged = `${idToken.slice(0, -4)}AAAA`;
    const res = await fetch(`${base}/end-session?${new URLSearchParams({ id_token_hint: forged })}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
  });
});

describe('lifecycle', () => {
  it('close() ends even while a delayed request is pending', async () => {
    const other = await startMockProvider({ port: 0 });
    const body = JSON.stringify({ endpoint: 'discovery', type: 'delay', delayMs: 60_000 });
    await fetch(`${other.url}/__control/faults`, { method: 'POST', body });
    const pending = fetch(`${other.url}/.well-known/openid-configuration`).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    expect(await pending).toBe('aborted');
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startMockProvider({ port: 0, host: '0.0.0.0' })).rejects.toThrow(/only listens on 127\.0\.0\.1/);
  });
});
