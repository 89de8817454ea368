import type { Session } from './session.js'

/**
 * What one tab tells the others. A new session (login or refresh) travels whole, so the other tabs
 * use its access token instead of refreshing again; `ended` says the session is over everywhere.
 * Each carries the version its write or deletion got under the lock (see `SessionRecord`): a tab
 * takes only what is newer than what it holds, however late the message comes.
 * BroadcastChannel is same-origin and reaches exactly the contexts that can read the IndexedDB
 * record anyway, so sending the tokens exposes nothing new.
 */
export type TabMessage =
  | { type: 'session'; version: number; session: Session }
  | { type: 'ended'; version: number; reason: 'logout' | 'invalid_grant' }

/** A channel to the other tabs; a no-op where BroadcastChannel is missing. */
export interface TabChannel {
  post(message: TabMessage): void
  close(): void
}

export function openTabChannel(name: string, onMessage: (message: TabMessage) => void): TabChannel {
  if (typeof BroadcastChannel === 'undefined') return { post() {}, close() {} }
  const channel = new BroadcastChannel(name)
  channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data)
  return {
    post: (message) => channel.postMessage(message),
    close: () => channel.close(),
  }
}
