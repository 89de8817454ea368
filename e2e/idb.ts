// The SDK's IndexedDB as the e2e tests read it: a dump that runs inside the page (a self-contained
// function, so any driver can send it: Playwright, puppeteer or WebDriver), and what the dump says.
// Free of Playwright, shared by helpers.ts and the cross-engine suite (e2e/engines/).

export const IDB_NAME = 'pixie-auth'
export const IDB_STORE = 'kv'

export interface IdbEntry {
  key: IDBValidKey
  value: unknown
}

export interface StoredSession {
  refreshToken?: string
  idToken: string
  accessToken: string
  expiresAt: number
  [k: string]: unknown
}

/** The SDK's session record: its version, and the session unless it was deleted. */
export interface SessionRecord {
  version: number
  session?: StoredSession
}

/**
 * Runs inside the page: every key/value of the SDK's IndexedDB database, read with raw indexedDB
 * APIs. Never creates the database: if it does not exist yet the upgrade is aborted and [] returned.
 */
export function dumpIdb({ dbName, storeName }: { dbName: string; storeName: string }): Promise<IdbEntry[]> {
  return new Promise<{ key: IDBValidKey; value: unknown }[]>((resolve, reject) => {
    const req = indexedDB.open(dbName)
    let creating = false
    req.onupgradeneeded = () => {
      // The database does not exist: do not create it behind the SDK's back.
      creating = true
      req.transaction?.abort()
    }
    req.onerror = (ev) => {
      if (creating) {
        ev.preventDefault()
        resolve([])
      } else reject(req.error)
    }
    req.onblocked = () => reject(new Error('readIdb: open blocked'))
    req.onsuccess = () => {
      const db = req.result
      if (!db.objectStoreNames.contains(storeName)) {
        db.close()
        resolve([])
        return
      }
      const tx = db.transaction(storeName, 'readonly')
      const store = tx.objectStore(storeName)
      const keysReq = store.getAllKeys()
      const valuesReq = store.getAll()
      tx.oncomplete = () => {
        db.close()
        resolve(keysReq.result.map((key, i) => ({ key, value: valuesReq.result[i] })))
      }
      tx.onerror = () => {
        db.close()
        reject(tx.error)
      }
    }
  })
}

/** The arguments of `dumpIdb` for the SDK's database. */
export const SDK_IDB = { dbName: IDB_NAME, storeName: IDB_STORE }

/** The session record (key `session:…`) in a dump, or undefined when there is none. */
export function sessionRecordOf(entries: IdbEntry[]): SessionRecord | undefined {
  const records = entries.filter((e) => typeof e.key === 'string' && e.key.startsWith('session:'))
  if (records.length > 1) throw new Error(`more than one session record in IndexedDB: ${JSON.stringify(records)}`)
  return records[0]?.value as SessionRecord | undefined
}

/**
 * Runs inside the page: the RFC 7638 thumbprint of the DPoP public key the SDK keeps in IndexedDB,
 * and whether its private key is extractable; `undefined` when no key is stored.
 */
export async function dpopKeyInPage(): Promise<{ thumbprint: string; privateKeyExtractable: boolean } | undefined> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('pixie-auth')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const entries = await new Promise<{ key: IDBValidKey; value: unknown }[]>((resolve, reject) => {
    const store = db.transaction('kv', 'readonly').objectStore('kv')
    const keys = store.getAllKeys()
    const values = store.getAll()
    values.onsuccess = () => resolve(keys.result.map((key, i) => ({ key, value: values.result[i] })))
    values.onerror = () => reject(values.error)
  })
  db.close()
  const entry = entries.find(({ key }) => String(key).startsWith('dpop:'))
  if (!entry) return undefined
  const { keyPair } = entry.value as { keyPair: CryptoKeyPair }
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', keyPair.publicKey)
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })))
  const thumbprint = btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
  return { thumbprint, privateKeyExtractable: keyPair.privateKey.extractable }
}
