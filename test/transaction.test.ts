import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { browserStore } from '../src/core/storage.js'
import {
  createTransaction,
  discardTransaction,
  isOwnState,
  saveTransaction,
  takeTransaction,
  transactionLifetimeMs,
  type TransactionOwner,
} from '../src/core/transaction.js'

const owner = (issuer: string, clientId: string): TransactionOwner => ({ namespace: `${issuer}#${clientId}`, issuer, clientId })
const clientA = owner('https://a.example/', 'spa')
const clientB = owner('https://b.example/', 'spa')
const clientA2 = owner('https://a.example/', 'other-spa')
const newTransaction = (now = Date.now(), by = clientA) =>
  createTransaction(by, { redirectUri: 'https://app/cb', scope: 'openid', appState: { returnTo: '/orders' } }, now)

describe('transactions', () => {
  it('round-trips through IndexedDB, appState and owner included', async () => {
    const store = browserStore()
    const transaction = newTransaction()
    await saveTransaction(store, clientA, transaction)
    expect(transaction).toMatchObject({ issuer: 'https://a.example/', clientId: 'spa', redirectUri: 'https://app/cb' })
    expect(await takeTransaction(store, clientA, transaction.state)).toEqual(transaction)
  })

  it('can be taken once: a second take, even a concurrent one, gets invalid_state', async () => {
    const store = browserStore()
    const transaction = newTransaction()
    await saveTransaction(store, clientA, transaction)
    const results = await Promise.allSettled([
      takeTransaction(store, clientA, transaction.state),
      takeTransaction(store, clientA, transaction.state),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason.code).toBe('invalid_state')
    await expect(takeTransaction(store, clientA, transaction.state)).rejects.toMatchObject({ code: 'invalid_state' })
  })

  it('rejects unknown, missing and expired state', async () => {
    const store = browserStore()
    await expect(takeTransaction(store, clientA, 'forged')).rejects.toMatchObject({ code: 'invalid_state' })
    await expect(takeTransaction(store, clientA, null)).rejects.toMatchObject({ code: 'invalid_state' })
    const old = newTransaction(Date.now() - transactionLifetimeMs - 1)
    await saveTransaction(store, clientA, old, old.createdAt)
    await expect(takeTransaction(store, clientA, old.state)).rejects.toMatchObject({ code: 'invalid_state' })
  })

  it('rejects a transaction dated ahead, as a script that ran once would plant it to outlast the 10 minutes', async () => {
    const store = browserStore()
    const planted = newTransaction(Date.now() + 365 * 24 * 3600 * 1000)
    await store.set(`tx:${clientA.namespace} ${planted.state}`, planted)
    await expect(takeTransaction(store, clientA, planted.state)).rejects.toMatchObject({ code: 'invalid_state' })
    // A browser clock set back a little between the login and the callback still completes it.
    const slightlyAhead = newTransaction(Date.now() + 30_000)
    await saveTransaction(store, clientA, slightlyAhead, Date.now())
    await expect(takeTransaction(store, clientA, slightlyAhead.state)).resolves.toMatchObject({ state: slightlyAhead.state })
  })

  it('keeps several logins apart and sweeps abandoned ones when saving', async () => {
    const store = browserStore()
    const abandoned = newTransaction(Date.now() - transactionLifetimeMs - 1)
    await store.set(`tx:${abandoned.state}`, abandoned)
    const first = newTransaction()
    const second = newTransaction()
    await saveTransaction(store, clientA, first)
    await saveTransaction(store, clientA, second)
    expect(await store.get(`tx:${abandoned.state}`)).toBeUndefined()
    expect((await takeTransaction(store, clientA, second.state)).state).toBe(second.state)
    expect((await takeTransaction(store, clientA, first.state)).state).toBe(first.state)
  })
})

describe('transactions of several clients on one origin (RFC 9700 §4.4)', () => {
  it("a client never takes another client's transaction, which stays for its owner", async () => {
    const store = browserStore()
    const ofB = newTransaction(Date.now(), clientB)
    const ofA2 = newTransaction(Date.now(), clientA2)
    await saveTransaction(store, clientB, ofB)
    await saveTransaction(store, clientA2, ofA2)
    await expect(takeTransaction(store, clientA, ofB.state)).rejects.toMatchObject({ code: 'invalid_state' })
    await expect(takeTransaction(store, clientA, ofA2.state)).rejects.toMatchObject({ code: 'invalid_state' })
    expect(await takeTransaction(store, clientB, ofB.state)).toEqual(ofB)
    expect(await takeTransaction(store, clientA2, ofA2.state)).toEqual(ofA2)
  })

  it("another client's state with this client's tag still finds nothing: the key is the client's", async () => {
    const store = browserStore()
    const ofB = newTransaction(Date.now(), clientB)
    await saveTransaction(store, clientB, ofB)
    const ownTag = newTransaction().state.split('.')[0]
    const disguised = `${ownTag}.${ofB.state.split('.')[1]}`
    await expect(takeTransaction(store, clientA, disguised)).rejects.toMatchObject({ code: 'invalid_state' })
    expect(await takeTransaction(store, clientB, ofB.state)).toEqual(ofB)
  })

  it('a transaction under this client whose stored issuer or client ID differs is refused', async () => {
    const store = browserStore()
    for (const forged of [{ issuer: 'https://b.example/' }, { clientId: 'other-spa' }]) {
      const transaction = newTransaction()
      await saveTransaction(store, clientA, { ...transaction, ...forged })
      await expect(takeTransaction(store, clientA, transaction.state)).rejects.toMatchObject({ code: 'invalid_state' })
    }
  })

  it("each client's state carries its tag, so a page can tell whose callback it is", () => {
    const a = newTransaction(Date.now(), clientA)
    const b = newTransaction(Date.now(), clientB)
    expect(isOwnState(clientA.namespace, a.state)).toBe(true)
    expect(isOwnState(clientA.namespace, b.state)).toBe(false)
    expect(isOwnState(clientB.namespace, b.state)).toBe(true)
    expect(isOwnState(clientA.namespace, 'y')).toBe(false)
    expect(isOwnState(clientA.namespace, null)).toBe(false)
    expect(a.state).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/)
  })

  it('discarding deletes only the named client transaction', async () => {
    const store = browserStore()
    const ofA = newTransaction()
    const ofB = newTransaction(Date.now(), clientB)
    await saveTransaction(store, clientA, ofA)
    await saveTransaction(store, clientB, ofB)
    await discardTransaction(store, clientA, ofB.state)
    await discardTransaction(store, clientA, ofA.state)
    await expect(takeTransaction(store, clientA, ofA.state)).rejects.toMatchObject({ code: 'invalid_state' })
    expect(await takeTransaction(store, clientB, ofB.state)).toEqual(ofB)
  })
})
