// Proves each provider profile answers as profiles.mjs documents it, over real HTTP.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider, type MockProvider, type MockProviderProfile } from './mock-provider.mjs';

const CLIENT_ID = 'pixie-e2e';
const REDIRECT_URI = 'http://localhost:5173/callback.html';
const LOGGED_OUT = 'http://localhost:5173/logged-out.html';

let provider: MockProvider;
beforeAll(async () => {
  provider = await startMockProvider({ port: 0 });
});
afterAll(() => provider.close());

type Json = Record<string, any>;

/** Resets the mock as `profile` and returns its discovery document, fetched from where the issuer says. */
async function asProfile(profile: MockProviderProfile) {
  provider.state.reset({ profile, autoApprove: true });
  const issuer = provider.state.issuer;
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  expect(response.status).toBe(200);
  const metadata = (await response.json()) as Json;
  expect(metadata.issuer).toBe(issuer);
  return metadata;
}

async function form(url: string, body: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
  return { status: response.status, body: (await response.json()) as Json };
}

/** A login through the profile's own endpoints: the callback's parameters and the tokens. */
async function signIn(metadata: Json) {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid offline_access', state: 's', nonce: 'n',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  });
  const redirect = await fetch(`${metadata.authorization_endpoint}?${query}`, { redirect: 'manual' });
  const callback = new URL(redirect.headers.get('location')!);
  const tokens = await form(metadata.token_endpoint, {
    grant_type: 'authorization_code', client_id: CLIENT_ID, code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: verifier,
  });
  expect(tokens.status).toBe(200);
  return { callback: Object.fromEntries(callback.searchParams), tokens: tokens.body };
}

const refresh = (metadata: Json, token: string) =>
  form(metadata.token_endpoint, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: token });

describe('provider profiles', () => {
  it('keycloak: realm issuer, session_state and iss in the callback, old refresh token kept after rotation', async () => {
    const metadata = await asProfile('keycloak');
    expect(metadata.issuer).toBe(`${provider.url}/realms/pixie`);
    expect(metadata.token_endpoint).toBe(`${provider.url}/realms/pixie/protocol/openid-connect/token`);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    const { callback, tokens } = await signIn(metadata);
    expect(callback).toHaveProperty('session_state');
    expect(callback).toHaveProperty('iss', metadata.issuer);
    const first = await refresh(metadata, tokens.refresh_token);
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    expect((await refresh(metadata, tokens.refresh_token)).status).toBe(200);
  });

  it('auth0: issuer with a trailing slash, 403 invalid_grant, the previous token reusable within the reuse interval', async () => {
    const metadata = await asProfile('auth0');
    expect(metadata.issuer).toBe(`${provider.url}/`);
    expect(metadata).toMatchObject({ token_endpoint: `${provider.url}/oauth/token`, end_session_endpoint: `${provider.url}/oidc/logout` });
    const { tokens } = await signIn(metadata);
    const rotated = await refresh(metadata, tokens.refresh_token);
    // Within the interval: the previous token gets new tokens, and no reuse detection.
    expect((await refresh(metadata, tokens.refresh_token)).status).toBe(200);
    expect((await refresh(metadata, rotated.body.refresh_token)).status).toBe(200);
    provider.state.updateConfig({ clockOffsetSeconds: 6 });
    const late = await refresh(metadata, tokens.refresh_token);
    expect(late).toEqual({ status: 403, body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' } });
  });

  it('okta: /oauth2/default issuer, /v1 endpoints, logout needs id_token_hint', async () => {
    const metadata = await asProfile('okta');
    expect(metadata).toMatchObject({ issuer: `${provider.url}/oauth2/default`, end_session_endpoint: `${provider.url}/oauth2/default/v1/logout` });
    const query = new URLSearchParams({ client_id: CLIENT_ID, post_logout_redirect_uri: LOGGED_OUT });
    expect((await fetch(`${metadata.end_session_endpoint}?${query}`, { redirect: 'manual' })).status).toBe(400);
    const { tokens } = await signIn(metadata);
    query.set('id_token_hint', tokens.id_token);
    expect((await fetch(`${metadata.end_session_endpoint}?${query}`, { redirect: 'manual' })).status).toBe(302);
  });

  it('entra: tenant issuer, no revocation endpoint, old refresh token valid, AADSTS error body, account picker without logout_hint', async () => {
    const metadata = await asProfile('entra');
    const tenant = '9188040d-6c67-4c5b-b112-36a304b66dad';
    expect(metadata.issuer).toBe(`${provider.url}/${tenant}/v2.0`);
    expect(metadata.token_endpoint).toBe(`${provider.url}/${tenant}/oauth2/v2.0/token`);
    expect(metadata).not.toHaveProperty('revocation_endpoint');
    const { tokens } = await signIn(metadata);
    expect((await refresh(metadata, tokens.refresh_token)).status).toBe(200);
    expect((await refresh(metadata, tokens.refresh_token)).status).toBe(200);
    const refused = await refresh(metadata, 'unknown');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant', error_codes: [700084], trace_id: expect.any(String) });

    const query = new URLSearchParams({ client_id: CLIENT_ID, post_logout_redirect_uri: LOGGED_OUT, state: 'bye' });
    const picker = await fetch(`${metadata.end_session_endpoint}?${query}`, { redirect: 'manual' });
    expect(picker.status).toBe(200);
    expect(await picker.text()).toContain('id="pick-account"');
    query.set('logout_hint', 'ada');
    const direct = await fetch(`${metadata.end_session_endpoint}?${query}`, { redirect: 'manual' });
    expect(direct.headers.get('location')).toBe(`${LOGGED_OUT}?state=bye`);
  });

  it('cognito: pool issuer, /logout (with logout_uri) as end_session_endpoint, refresh tokens do not rotate', async () => {
    const metadata = await asProfile('cognito');
    expect(metadata.issuer).toBe(`${provider.url}/us-east-1_PixieE2E`);
    expect(metadata).toMatchObject({ token_endpoint: `${provider.url}/oauth2/token`, revocation_endpoint: `${provider.url}/oauth2/revoke` });
    expect(metadata.end_session_endpoint).toBe(`${provider.url}/logout`);
    const { tokens } = await signIn(metadata);
    const refreshed = await refresh(metadata, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).not.toHaveProperty('refresh_token');
    expect((await refresh(metadata, tokens.refresh_token)).status).toBe(200);

    const logout = (query: Record<string, string>) => fetch(`${provider.url}/logout?${new URLSearchParams(query)}`, { redirect: 'manual' });
    expect((await logout({ client_id: CLIENT_ID, logout_uri: 'http://localhost:5173/evil.html' })).status).toBe(400);
    expect((await logout({ client_id: CLIENT_ID, logout_uri: LOGGED_OUT })).headers.get('location')).toBe(LOGGED_OUT);
    // An RP-Initiated Logout request, as a generic client builds it from the metadata, is refused.
    expect((await logout({ client_id: CLIENT_ID, post_logout_redirect_uri: LOGGED_OUT, state: 's' })).status).toBe(400);
  });

  it('a profile serves its endpoints only where its metadata says', async () => {
    await asProfile('cognito');
    expect((await fetch(`${provider.url}/token`, { method: 'POST' })).status).toBe(404);
    await asProfile('default');
    expect((await fetch(`${provider.url}/oauth2/token`, { method: 'POST' })).status).toBe(404);
  });
});
