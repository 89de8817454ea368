import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { AuthError, isTransient, redacted, toAuthError } from '../src/core/errors.js'
import { resolveOptions } from '../src/core/options.js'

const as: oauth.AuthorizationServer = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' }
const client: oauth.Client = { client_id: 'spa' }

async function processTokenResponse(response: Response) {
  try {
    await oauth.processRefreshTokenResponse(as, client, response)
  } catch (e) {
    return toAuthError(e)
  }
  throw new Error('expected a failure')
}

/** What `run` throws. */
function thrownBy(run: () => never): Error {
  try {
    run()
  } catch (e) {
    return e as Error
  }
}

describe('toAuthError', () => {
  it('keeps where a cause was thrown (its stack frames), never a message it omits', () => {
    function readsTheStore(): never {
      throw new Error('refresh_token=SECRET-1 was refused')
    }
    const cause = toAuthError(thrownBy(readsTheStore)).cause as Error
    expect(cause.message).toBe('Error (message omitted)')
    expect(cause.stack).toMatch(/^Error: Error \(message omitted\)\n\s+at readsTheStore /)
    expect(cause.stack).not.toContain('SECRET-1')
  })

  it('redacts a secret a kept message quoted from the frames it keeps, too', () => {
    function sendsTheToken(): never {
      throw new TypeError('the server echoed SECRET-2')
    }
    const cause = redacted(toAuthError(thrownBy(sendsTheToken)), ['SECRET-2']).cause as Error
    expect(cause.stack).toMatch(/^TypeError: the server echoed \[redacted\]\n\s+at sendsTheToken /)
    expect(cause.stack).not.toContain('SECRET-2')
  })

  it('keeps an AuthError as it is', () => {
    const error = new AuthError('timeout', 'slow')
    expect(toAuthError(error)).toBe(error)
  })

  it('maps an OAuth error body to oauth_error with the server error and description', async () => {
    const error = await processTokenResponse(
      Response.json({ error: 'invalid_grant', error_description: 'rotated' }, { status: 400 }),
    )
    expect(error).toMatchObject({ code: 'oauth_error', error: 'invalid_grant', errorDescription: 'rotated', status: 400 })
    expect(error.cause).toMatchObject({ name: 'ResponseBodyError', error: 'invalid_grant', status: 400 })
    expect(isTransient(error)).toBe(false)
  })

  it('maps a timeout that fires while the body is read to timeout, not a malformed response', async () => {
    // A tab frozen while the answer arrived: on resume, the request's timeout fires mid-body.
    const body = new ReadableStream({
      start: (controller) => controller.error(new DOMException('signal timed out', 'TimeoutError')),
    })
    const error = await processTokenResponse(new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }))
    expect(error).toMatchObject({ code: 'timeout' })
    expect(isTransient(error)).toBe(true)
  })

  it('maps a 5xx without an OAuth body to a transient network_error', async () => {
    const error = await processTokenResponse(new Response('<h1>Bad gateway</h1>', { status: 502 }))
    expect(error).toMatchObject({ code: 'network_error', status: 502 })
    expect(isTransient(error)).toBe(true)
  })

  it('maps a 5xx with an OAuth error body to a transient network_error too', async () => {
    const error = await processTokenResponse(Response.json({ error: 'server_error' }, { status: 500 }))
    expect(error).toMatchObject({ code: 'network_error', status: 500 })
    expect(isTransient(error)).toBe(true)
  })

  it('maps 408 and 429 to a transient network_error, whatever the body', async () => {
    for (const response of [
      new Response('', { status: 408 }),
      Response.json({ error: 'slow_down' }, { status: 429 }),
      new Response('<h1>Too many</h1>', { status: 429, headers: { 'content-type': 'text/html' } }),
    ]) {
      const error = await processTokenResponse(response)
      expect(error).toMatchObject({ code: 'network_error', status: response.status })
      expect(isTransient(error)).toBe(true)
    }
  })

  it('keeps the status of a 4xx that is no OAuth error', async () => {
    const error = await processTokenResponse(new Response('', { status: 400 }))
    expect(error).toMatchObject({ code: 'invalid_response', status: 400 })
  })

  it('maps a 200 that is not JSON, or lacks access_token, to invalid_response', async () => {
    const notJson = await processTokenResponse(new Response('hello', { status: 200, headers: { 'content-type': 'text/plain' } }))
    expect(notJson.code).toBe('invalid_response')
    const missing = await processTokenResponse(Response.json({ token_type: 'bearer' }))
    expect(missing.code).toBe('invalid_response')
  })

  it('maps an authorization error response to oauth_error', () => {
    const params = new URLSearchParams({ error: 'access_denied', error_description: 'no', state: 's' })
    let error: AuthError | undefined
    try {
      oauth.validateAuthResponse(as, client, params, 's')
    } catch (e) {
      error = toAuthError(e)
    }
    expect(error).toMatchObject({ code: 'oauth_error', error: 'access_denied', errorDescription: 'no' })
  })

  it('maps a fetch that got no answer to network_error, at the transport, and a timeout to timeout', async () => {
    const unreachable = resolveOptions({
      issuer: 'https://as.example',
      clientId: 'spa',
      redirectUri: 'https://app.example/cb',
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    })
    const failure = await oauth.discoveryRequest(unreachable.issuer, unreachable.http).catch(toAuthError)
    expect(failure).toMatchObject({ code: 'network_error', cause: { name: 'TypeError', message: 'Failed to fetch' } })
    expect(toAuthError(new DOMException('late', 'TimeoutError')).code).toBe('timeout')
  })

  it('does not take a bug for the network', () => {
    expect(toAuthError(new TypeError('session.user is undefined')).code).not.toBe('network_error')
  })

  it('maps insecure-request refusals to config_error', async () => {
    let error: AuthError | undefined
    try {
      await oauth.discoveryRequest(new URL('http://as.example'))
    } catch (e) {
      error = toAuthError(e)
    }
    expect(error?.code).toBe('config_error')
  })
})

describe('redacted: every encoding a server or proxy may quote (issue 18, finding 3)', () => {
  // A base64 (not base64url) refresh token, with a space and JSON-escaped characters besides.
  const secret = 'rt/Zm9v+YmFy= "q\\'
  const quoted: [string, string][] = [
    ['raw', secret],
    ['percent-encoded', encodeURIComponent(secret)],
    ['form-encoded (+ for a space)', new URLSearchParams({ refresh_token: secret }).toString().slice('refresh_token='.length)],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
  ]
  it.each(quoted)('%s, in the message, error, description and cause', (_, form) => {
    const server = new AuthError('oauth_error', `rejected ${form}`, { error: form, errorDescription: `got ${form}.` })
    const error = redacted(new AuthError('login_required', `ended: ${form}`, { cause: server }), [secret])
    const texts = [error.message, (error.cause as AuthError).message, (error.cause as AuthError).error, (error.cause as AuthError).errorDescription]
    for (const text of texts) {
      expect(text).toContain('[redacted]')
      // No piece of the secret longer than its base64 run survives.
      expect(text).not.toContain('Zm9v')
    }
  })
})
