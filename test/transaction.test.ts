import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { browserStore } from '../src/storage.js'
import { createTransaction, saveTransaction, takeTransaction, transactionLifetimeMs } from '../src/transaction.js'

const metadata = { issuer: 'https://as.example', authorization_endpoint: 'https://as.example/authorize' }
const newTransaction = (now = Date.now()) =>
  createTransaction({ redirectUri: 'https://app/cb', scope: 'openid', appState: { returnTo: '/orders' }, metadata }, now)

describe('transactions', () => {
  it('round-trips through IndexedDB, appState included', async () => {
    const store = browserStore()
    const transaction = newTransaction()
    await saveTransaction(store, transaction)
    expect(await takeTransaction(store, transaction.state)).toEqual(transaction)
  })

  it('can be taken once: a second take, even a concurrent one, gets invalid_state', async () => {
    const store = browserStore()
    const transaction = newTransaction()
    await saveTransaction(store, transaction)
    const results = await Promise.allSettled([
      takeTransaction(store, transaction.state),
      takeTransaction(store, transaction.state),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason.code).toBe('invalid_state')
    await expect(takeTransaction(store, transaction.state)).rejects.toMatchObject({ code: 'invalid_state' })
  })

  it('rejects unknown, missing and expired state', async () => {
    const store = browserStore()
    await expect(takeTransaction(store, 'forged')).rejects.toMatchObject({ code: 'invalid_state' })
    await expect(takeTransaction(store, null)).rejects.toMatchObject({ code: 'invalid_state' })
    const old = newTransaction(Date.now() - transactionLifetimeMs - 1)
    await saveTransaction(store, old, old.createdAt)
    await expect(takeTransaction(store, old.state)).rejects.toMatchObject({ code: 'invalid_state' })
  })

  it('keeps several logins apart and sweeps abandoned ones when saving', async () => {
    const store = browserStore()
    const abandoned = newTransaction(Date.now() - transactionLifetimeMs - 1)
    await store.set(`tx:${abandoned.state}`, abandoned)
    const first = newTransaction()
    const second = newTransaction()
    await saveTransaction(store, first)
    await saveTransaction(store, second)
    expect(await store.get(`tx:${abandoned.state}`)).toBeUndefined()
    expect((await takeTransaction(store, second.state)).state).toBe(second.state)
    expect((await takeTransaction(store, first.state)).state).toBe(first.state)
  })
})
