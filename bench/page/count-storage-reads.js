// Injected before any page script: counts reads from IndexedDB and Web Storage, so the start-up
// figure can say how many storage reads an SDK needs to learn whether the user is signed in.
(() => {
  const reads = { indexedDb: 0, webStorage: 0 }
  window.benchStorageReads = reads
  const count = (proto, methods, kind) => {
    for (const method of methods) {
      const original = proto[method]
      if (typeof original !== 'function') continue
      proto[method] = function (...args) {
        reads[kind] += 1
        return original.apply(this, args)
      }
    }
  }
  const idbReads = ['get', 'getAll', 'getKey', 'getAllKeys', 'openCursor', 'openKeyCursor', 'count']
  count(IDBObjectStore.prototype, idbReads, 'indexedDb')
  count(IDBIndex.prototype, idbReads, 'indexedDb')
  count(Storage.prototype, ['getItem', 'key'], 'webStorage')
})()
