// A minimal AuthClient for binding tests: its state is set by the test, its methods are spies.
import { expect, vi } from 'vitest'
import { createStateStore } from '../src/core/auth-state.js'
import type { AuthActions } from '../src/bindings/auth-actions.js'
import type { AuthClient, AuthState, RedirectCallbackResult, User } from '../src/index.js'

/** ID token claims as the core would hand them out. */
export const ada: User = { iss: 'https://issuer.example', aud: 'pixie-demo', sub: 'user-ada', name: 'Ada', iat: 0, exp: 0 }

export interface FakeClientOptions {
  /** What `isRedirectCallback()` answers. */
  isCallback?: boolean
  /** What `handleRedirectCallback()` returns. */
  callback?: () => Promise<RedirectCallbackResult>
}

export function fakeClient(initial: AuthState = { status: 'loading' }, options: FakeClientOptions = {}) {
  const state = createStateStore(initial)
  const client = {
    loginWithRedirect: vi.fn(async () => {}),
    isRedirectCallback: vi.fn(() => options.isCallback ?? false),
    handleRedirectCallback: vi.fn(options.callback ?? (async () => ({}))),
    getAccessToken: vi.fn(async () => 'access-token'),
    getUser: vi.fn(async () => state.get().user),
    isAuthenticated: vi.fn(async () => state.get().status === 'authenticated'),
    logout: vi.fn(async () => {}),
    subscribe: vi.fn(state.subscribe),
    getState: state.get,
    dispose: vi.fn(),
  } satisfies AuthClient
  return { client, setState: state.set }
}

/** Expects the actions a binding handed out to call `client`, and to hand out `client` itself. */
export async function expectActionsCall(auth: AuthActions, client: ReturnType<typeof fakeClient>['client']) {
  expect(await auth.getAccessToken({ forceRefresh: true })).toBe('access-token')
  expect(client.getAccessToken).toHaveBeenCalledWith({ forceRefresh: true })
  await auth.loginWithRedirect({ appState: 1 })
  expect(client.loginWithRedirect).toHaveBeenCalledWith({ appState: 1 })
  await auth.logout({ localOnly: true })
  expect(client.logout).toHaveBeenCalledWith({ localOnly: true })
  // The client itself, for the features that take it (createFetch, loginWithPopup, fetchUser).
  expect(auth.client).toBe(client)
  expect(auth).not.toHaveProperty('fetch')
}

/** A promise and the functions that settle it, for callbacks a test finishes when it chooses. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
