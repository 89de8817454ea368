import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient, type AuthClientOptions } from '../src/index.js'
import { resolveOptions } from '../src/core/options.js'
import { dpop } from '../src/dpop.js'
import { par } from '../src/par.js'
import { resourceIndicators } from '../src/resource.js'
import { silentLogin } from '../src/silent-login.js'

const issuer = 'https://login.example.com'
const metadata = { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token` }
const plugins = {
  dpop: dpop(),
  par: par(),
  resource: resourceIndicators('https://api.example.com/'),
  silentLogin: silentLogin(),
}

/** Options as an app may build them with a class: every option but `issuer` a getter on the prototype. */
class ClassOptions implements AuthClientOptions {
  issuer = issuer
  get clientId() {
    return 'spa'
  }
  get redirectUri() {
    return 'https://app.example.com/cb'
  }
  get postLogoutRedirectUri() {
    return 'https://app.example.com/bye'
  }
  get metadata() {
    return metadata
  }
}

/** The same, with every plug-in, each a getter too. */
class ClassOptionsWithPlugins extends ClassOptions {
  get dpop() {
    return plugins.dpop
  }
  get par() {
    return plugins.par
  }
  get resource() {
    return plugins.resource
  }
  get silentLogin() {
    return plugins.silentLogin
  }
}

describe('options that are not own properties (a class, getters on its prototype)', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('are taken as they were checked: none is dropped, a plug-in least of all', () => {
    expect(resolveOptions(new ClassOptionsWithPlugins())).toMatchObject({
      clientId: 'spa',
      redirectUri: 'https://app.example.com/cb',
      postLogoutRedirectUri: 'https://app.example.com/bye',
      metadata,
      ...plugins,
    })
  })

  it('log in at the redirect URI a getter gives', async () => {
    const assign = vi.fn()
    vi.stubGlobal('location', { href: 'https://app.example.com/', origin: 'https://app.example.com', assign })
    const auth = createAuthClient(new ClassOptions())
    await auth.loginWithRedirect()
    const url = new URL(String(assign.mock.calls[0]![0]))
    expect(url.searchParams.get('redirect_uri')).toBe('https://app.example.com/cb')
    expect(url.searchParams.get('client_id')).toBe('spa')
    auth.dispose()
  })
})
