/** Where {@link sharedRun} keeps the runs under way: a `Map`, or a `WeakMap` for object keys. */
interface Runs<K, T> {
  get(key: K): Promise<T> | undefined
  set(key: K, run: Promise<T>): unknown
  delete(key: K): unknown
}

/**
 * The promise of the run of `start` under way for `key`, or of a new one: concurrent callers for
 * one key share one run, and a call after it settled starts another.
 */
export function sharedRun<K, T>(runs: Runs<K, T>, key: K, start: () => Promise<T>): Promise<T> {
  let run = runs.get(key)
  if (!run) {
    run = start().finally(() => runs.delete(key))
    runs.set(key, run)
  }
  return run
}
