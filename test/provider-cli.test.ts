// @vitest-environment happy-dom
// `pixie-auth-provider`, the local provider the README tells users to run: started as a user starts
// it, with their client ID and redirect URI as flags, it serves discovery and a full code + PKCE
// login, through its login page, to a pixie-auth client at that redirect URI, and only there.
import { spawn, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { IDBFactory } from 'fake-indexeddb'
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest'
import { createAuthClient } from '../src/index.js'
import { visit } from './mock-provider-login.js'

const redirectUri = 'http://localhost:5173/callback'
let cli: ChildProcess
let issuer: string
let printed = ''

/** Starts the command as `npx pixie-auth-provider` runs it, on a free port; resolves what it printed once it listens. */
function startCli(args: string[]): Promise<string> {
  cli = spawn(process.execPath, ['bin/pixie-auth-provider.mjs', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let output = ''
    cli.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      if (output.includes('Ctrl+C stops it.')) resolve(output)
    })
    cli.once('exit', (code) => reject(new Error(`pixie-auth-provider exited with ${code}: ${output}`)))
  })
}

/** One request with Node's http module, which (unlike fetch) shows a redirect's Location. */
function send(url: string, form?: Record<string, string>): Promise<{ status: number; location?: string; body: string }> {
  const body = form && new URLSearchParams(form).toString()
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}
    const req = request(url, { method: body ? 'POST' : 'GET', headers }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      response.on('end', () => resolve({ status: response.statusCode!, location: response.headers.location, body: text }))
    })
    req.on('error', reject).end(body)
  })
}

/** Signs in on the provider's login page, as a user clicking its button would; resolves where it redirects. */
async function signInOnLoginPage(authorizeUrl: string): Promise<string> {
  const page = await send(authorizeUrl)
  expect(page.body).toContain('Sign in as Ada Lovelace')
  const interaction = /name="interaction" value="([^"]+)"/.exec(page.body)![1]!
  const decision = await send(new URL('/authorize/decision', authorizeUrl).href, { interaction, decision: 'approve' })
  expect(decision.status).toBe(302)
  return decision.location!
}

/** Starts a login with `client`; resolves the authorization URL it navigated to. */
async function authorizeUrlOf(client: ReturnType<typeof createAuthClient>): Promise<string> {
  const assign = vi.spyOn(location, 'assign').mockImplementation(() => {})
  try {
    await client.loginWithRedirect()
    return String(assign.mock.calls[0]![0])
  } finally {
    assign.mockRestore()
  }
}

beforeAll(async () => {
  printed = await startCli(['--redirect-uri', redirectUri, '--client-id', 'my-app', '--port', '0'])
  issuer = /Issuer: +(\S+)/.exec(printed)![1]!
})
afterAll(() => {
  cli.removeAllListeners('exit')
  cli.kill()
})
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  visit('http://localhost:5173/')
})

it('prints the issuer, the client, the test user and the createAuthClient() snippet to paste', () => {
  expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(printed).toContain('Client ID:      my-app')
  expect(printed).toContain('Ada Lovelace <ada@example.com>')
  expect(printed).toContain(
    `createAuthClient({\n      issuer: '${issuer}',\n      clientId: 'my-app',\n      redirectUri: '${redirectUri}',\n      postLogoutRedirectUri: 'http://localhost:5173/',\n    })`,
  )
})

it('serves discovery for that issuer', async () => {
  const response = await send(`${issuer}/.well-known/openid-configuration`)
  expect(JSON.parse(response.body)).toMatchObject({ issuer, code_challenge_methods_supported: ['S256'] })
})

it('logs a client in with code + PKCE at the redirect URI given by the flag, and gives it tokens', async () => {
  const client = createAuthClient({ issuer, clientId: 'my-app', redirectUri })
  const authorizeUrl = await authorizeUrlOf(client)
  expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256')
  const callbackUrl = await signInOnLoginPage(authorizeUrl)
  expect(callbackUrl.startsWith(`${redirectUri}?`)).toBe(true)

  visit(callbackUrl)
  const { user } = await client.handleRedirectCallback()
  expect(user).toMatchObject({ sub: 'user-ada', name: 'Ada Lovelace', aud: 'my-app', iss: issuer })
  expect(await client.getAccessToken()).toMatch(/\S{20,}/)
  expect(await client.getAccessToken({ forceRefresh: true })).toMatch(/\S{20,}/) // a refresh token was issued
  client.dispose()
})

it('refuses a redirect URI the flags did not register, and a client ID they did not name', async () => {
  const client = createAuthClient({ issuer, clientId: 'my-app', redirectUri: 'http://localhost:5173/' })
  const unregistered = await send(await authorizeUrlOf(client))
  expect(unregistered.status).toBe(400)
  expect(unregistered.body).toContain('redirect_uri http://localhost:5173/ is not registered for my-app')
  client.dispose()

  const other = createAuthClient({ issuer, clientId: 'pixie-demo', redirectUri })
  const unknown = await send(await authorizeUrlOf(other))
  expect(unknown.status).toBe(400)
  expect(unknown.body).toContain('unknown client_id pixie-demo')
  other.dispose()
})

it('exits with its usage when no redirect URI is given', async () => {
  const run = spawn(process.execPath, ['bin/pixie-auth-provider.mjs', '--client-id', 'my-app'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  run.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise((resolve) => run.once('exit', resolve))
  expect(code).toBe(2)
  expect(stderr).toContain('--redirect-uri is required')
})
