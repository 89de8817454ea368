// The user's claims as types: OIDC Core §5.1's standard claims, and an app's own claims given to
// `createAuthClient<Claims>()`, through the client, the state, the bindings and `fetchUser()`.
// What this file checks is checked by `tsc -p tsconfig.json` (`npm run typecheck`), which
// includes test/: vitest only runs the few lines that make clients.
import { describe, expectTypeOf, it } from 'vitest'
import { createAuthClient, type AuthClient, type AuthState, type User } from '../src/index.js'
import { useAuth as useReactAuth, type AuthProviderProps } from '../src/bindings/react/index.js'
import { createAuth, useAuth as useVueAuth } from '../src/bindings/vue/index.js'
import { fetchUser } from '../src/userinfo.js'
import { createFetch } from '../src/fetch.js'

const options = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb' }

interface AppClaims {
  roles?: string[]
  tenant: { id: string }
}

describe('claim types', () => {
  it('types the standard claims (OIDC Core §5.1) and the ID token claims', () => {
    const user = {} as User | undefined
    // Each of these lines failed to compile when `User` was oauth4webapi's IDToken (JsonValue).
    const name: string | undefined = user?.name
    const verified: boolean | undefined = user?.email_verified
    const phoneVerified: boolean | undefined = user?.phone_number_verified
    const updatedAt: number | undefined = user?.updated_at
    const locality: string | undefined = user?.address?.locality
    void [name, verified, phoneVerified, updatedAt, locality]
    expectTypeOf<User['given_name']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<User['picture']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<User['sub']>().toEqualTypeOf<string>()
    expectTypeOf<User['exp']>().toEqualTypeOf<number>()
    expectTypeOf<User['aud']>().toEqualTypeOf<string | string[]>()
    // Any other claim is still there, as the JSON value it is.
    expectTypeOf<User['unknown_claim']>().not.toBeAny()
    // @ts-expect-error a standard claim has its type: `name` is no number
    const wrong: number | undefined = user?.name
    void wrong
  })

  it("carries an app's own claims from createAuthClient<Claims>() to getUser, the state and fetchUser", async () => {
    const auth = createAuthClient<AppClaims>(options)
    try {
      expectTypeOf(auth).toEqualTypeOf<AuthClient<AppClaims>>()
      expectTypeOf(auth.getState()).toEqualTypeOf<AuthState<AppClaims>>()
      const user = auth.getState().user
      const roles: string[] | undefined = user?.roles
      const tenant: string | undefined = user?.tenant.id
      const name: string | undefined = user?.name
      void [roles, tenant, name]
      expectTypeOf(auth.getUser).returns.resolves.toEqualTypeOf<User<AppClaims> | undefined>()
      expectTypeOf(auth.handleRedirectCallback).returns.resolves.toHaveProperty('user').toEqualTypeOf<User<AppClaims> | undefined>()
      auth.subscribe((state) => expectTypeOf(state.user).toEqualTypeOf<User<AppClaims> | undefined>())
      expectTypeOf(fetchUser(auth)).resolves.toEqualTypeOf<User<AppClaims> | undefined>()
      // A client with claims goes wherever a client does.
      expectTypeOf(createFetch).toBeCallableWith(auth, {})
      expectTypeOf<AuthClient<AppClaims>>().toMatchTypeOf<AuthClient>()
      // @ts-expect-error a claim the app did not declare is no string[]
      const undeclared: string[] | undefined = user?.permissions
      void undeclared
    } finally {
      auth.dispose()
    }
  })

  it('keeps code without the generic compiling as before', () => {
    const auth: AuthClient = createAuthClient(options)
    try {
      expectTypeOf(auth.getState().user).toEqualTypeOf<User | undefined>()
      expectTypeOf<User>().toEqualTypeOf<User<{}>>()
    } finally {
      auth.dispose()
    }
  })

  it('gives the claims to the React hook and provider and the Vue plugin and composable', () => {
    expectTypeOf(useReactAuth<AppClaims>).returns.toHaveProperty('user').toEqualTypeOf<User<AppClaims> | undefined>()
    expectTypeOf(useReactAuth<AppClaims>).returns.toHaveProperty('client').toEqualTypeOf<AuthClient<AppClaims>>()
    // Called without the generic (never run: a hook needs a component), it gives the plain user.
    const plainReact = () => useReactAuth()
    const plainVue = () => useVueAuth()
    expectTypeOf(plainReact).returns.toHaveProperty('user').toEqualTypeOf<User | undefined>()
    expectTypeOf(plainVue).returns.toHaveProperty('user').toEqualTypeOf<import('vue').ComputedRef<User | undefined>>()
    expectTypeOf<AuthProviderProps<AppClaims>>().toMatchTypeOf<{ client?: AuthClient<AppClaims> }>()
    expectTypeOf(useVueAuth<AppClaims>).returns.toHaveProperty('user').toEqualTypeOf<import('vue').ComputedRef<User<AppClaims> | undefined>>()
    expectTypeOf(createAuth<AppClaims>).returns.toHaveProperty('client').toEqualTypeOf<AuthClient<AppClaims>>()
    const plugin = createAuth({ client: {} as AuthClient<AppClaims> })
    expectTypeOf(plugin.client).toEqualTypeOf<AuthClient<AppClaims>>()
  })
})
