#!/usr/bin/env node
// `npx pixie-auth-provider --redirect-uri http://localhost:5173/callback [--client-id my-app] [--port 4010]`:
// a local OpenID provider for developing and testing an app, on loopback only. It is the strict mock
// the end-to-end tests use (e2e/provider/), with one public client registered from the flags.
import { parseArgs } from 'node:util'
import { DEFAULT_CONFIG } from '../e2e/provider/config.mjs'
import { startMockProvider } from '../e2e/provider/mock-provider.mjs'

const USAGE = `Usage: pixie-auth-provider --redirect-uri <url> [options]

A local OpenID provider for developing and testing your app (listens on 127.0.0.1 only).

  --redirect-uri <url>              your app's redirect URI, exactly (repeat for more)
  --post-logout-redirect-uri <url>  default: the origin of each redirect URI, with a slash
  --client-id <id>                  default: my-app
  --port <port>                     default: 4010 (0: any free port)
  --help                            this text`

/** The registered client, and the port, from the command line; throws a message for the user. */
function parseCommandLine(args) {
  const { values } = parseArgs({
    args,
    options: {
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'client-id': { type: 'string', default: 'my-app' },
      port: { type: 'string', default: '4010' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return { help: true }
  const redirectUris = (values['redirect-uri'] ?? []).map(appUrl)
  if (!redirectUris.length) throw new Error('--redirect-uri is required')
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`)
  const postLogoutRedirectUris = (values['post-logout-redirect-uri'] ?? redirectUris.map((uri) => `${new URL(uri).origin}/`)).map(appUrl)
  const client = {
    client_id: values['client-id'],
    token_endpoint_auth_method: 'none',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: [...new Set(postLogoutRedirectUris)],
  }
  return { client, port }
}

/** An absolute http(s) URL without a fragment, as registered redirect URIs must be (RFC 6749 §3.1.2). */
function appUrl(value) {
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.hash) {
    throw new Error(`${value} is not an absolute http(s) URL without a fragment`)
  }
  return value
}

/** What to put in the app, printed on start. */
function startMessage(issuer, client) {
  const { name, email, sub } = DEFAULT_CONFIG.user
  const [redirectUri] = client.redirect_uris
  const [postLogoutRedirectUri] = client.post_logout_redirect_uris
  return `pixie-auth local provider: for development and tests only, on loopback.

  Issuer:         ${issuer}
  Client ID:      ${client.client_id}
  Redirect URIs:  ${client.redirect_uris.join(', ')}
  Post-logout:    ${client.post_logout_redirect_uris.join(', ')}
  Test user:      ${name} <${email}> (sub ${sub}): the login page signs you in with one click

  In your app:

    const auth = createAuthClient({
      issuer: '${issuer}',
      clientId: '${client.client_id}',
      redirectUri: '${redirectUri}',
      postLogoutRedirectUri: '${postLogoutRedirectUri}',
    })

  Ctrl+C stops it.
`
}

async function main() {
  let options
  try {
    options = parseCommandLine(process.argv.slice(2))
  } catch (error) {
    console.error(`pixie-auth-provider: ${error.message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (options.help) return console.log(USAGE)
  const provider = await startMockProvider({ port: options.port, clients: [options.client] }).catch((error) => {
    if (error.code !== 'EADDRINUSE') throw error
    console.error(`pixie-auth-provider: port ${options.port} is taken; pick another with --port`)
    process.exit(1)
  })
  console.log(startMessage(provider.state.issuer, options.client))
  const stop = () => provider.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

await main()
