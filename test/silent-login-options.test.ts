import { describe, expect, it, vi } from 'vitest'
import { resolveOptions, type AuthClientOptions } from '../src/core/options.js'
import type { LoginStepOptions, LoginSteps } from '../src/core/plugins.js'
import { memoryStore } from '../src/core/storage.js'
import { silentLogin } from '../src/silent-login.js'

const base: AuthClientOptions = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/callback' }

/** The options the feature starts its login with (the frame itself needs a page: it is not run here). */
async function loginOptions(options: AuthClientOptions): Promise<LoginStepOptions> {
  const config = resolveOptions(options)
  const feature = config.silentLogin!.setup({ config, store: memoryStore() })
  let asked: LoginStepOptions | undefined
  await feature
    .login((stepOptions) => {
      asked = stepOptions
      return {} as LoginSteps<unknown>
    })
    .catch(() => undefined)
  return asked!
}

describe('silent login options', () => {
  it('are off by default; the timeout defaults to 10 s and the redirect URI to redirectUri', async () => {
    expect(resolveOptions(base).silentLogin).toBeUndefined()
    expect(silentLogin()).toMatchObject({ timeoutSeconds: 10, redirectUri: undefined })
    expect(await loginOptions({ ...base, silentLogin: silentLogin() })).toEqual({
      redirectUri: 'https://app.example/callback',
      authorizationParams: { prompt: 'none' },
    })
  })

  it('take what is given', async () => {
    const plugin = silentLogin({ timeoutSeconds: 3, redirectUri: 'https://app.example/silent' })
    expect(plugin).toMatchObject({ timeoutSeconds: 3, redirectUri: 'https://app.example/silent' })
    expect(await loginOptions({ ...base, silentLogin: plugin })).toMatchObject({ redirectUri: 'https://app.example/silent' })
  })

  it("resolve a path, the client's or their own, against the page's origin when a login starts", async () => {
    vi.stubGlobal('location', { origin: 'http://localhost:3000' })
    try {
      const paths = { ...base, redirectUri: '/callback' }
      expect(await loginOptions({ ...paths, silentLogin: silentLogin() })).toMatchObject({ redirectUri: 'http://localhost:3000/callback' })
      expect(await loginOptions({ ...paths, silentLogin: silentLogin({ redirectUri: '/silent' }) })).toMatchObject({ redirectUri: 'http://localhost:3000/silent' })
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it("refuse a mode instead of the plug-in, naming silentLogin() from 'pixie-auth/silent-login', and a redirectUri that is neither an absolute URL nor a path, with config_error", () => {
    for (const mode of ['iframe', 'popup', true]) {
      expect(() => resolveOptions({ ...base, silentLogin: mode as unknown as ReturnType<typeof silentLogin> })).toThrow(
        expect.objectContaining({ code: 'config_error', message: expect.stringContaining("silentLogin() from 'pixie-auth/silent-login'") }),
      )
    }
    for (const redirectUri of ['silent.html', '//evil.example/silent']) {
      expect(() => silentLogin({ redirectUri })).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
    for (const timeoutSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 3e6]) {
      expect(() => silentLogin({ timeoutSeconds })).toThrow(expect.objectContaining({ code: 'config_error' }))
    }
  })
})
