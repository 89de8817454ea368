/**
 * What one tab tells the others: the version of a session record it wrote or deleted under the lock
 * (see `SessionRecord`), and nothing else. The tabs that hear it read the record from IndexedDB and
 * take it if it is newer than what they hold. Any same-origin page can post on a BroadcastChannel,
 * so a message carries no token and decides nothing: the worst a forged one does is make a tab read.
 */
export interface TabMessage {
  version: number
}

/** A channel to the other tabs; a no-op where BroadcastChannel is missing. */
export interface TabChannel {
  post(message: TabMessage): void
  close(): void
}

export function openTabChannel(name: string, onMessage: (message: unknown) => void): TabChannel {
  if (typeof BroadcastChannel === 'undefined') return { post() {}, close() {} }
  const channel = new BroadcastChannel(name)
  channel.onmessage = (event: MessageEvent<unknown>) => onMessage(event.data)
  return {
    post: (message) => channel.postMessage(message),
    close: () => channel.close(),
  }
}
