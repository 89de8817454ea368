// Imported first by harness.ts, so it runs before any module of the SDK: with the flag set, the page
// has no `navigator.locks`, as in a browser without Web Locks. The cross-engine suite's control run
// sets it to show that its one-refresh-across-tabs check can fail.
import { WITHOUT_WEB_LOCKS_KEY } from './types'

if (localStorage.getItem(WITHOUT_WEB_LOCKS_KEY) === '1') {
  // `locks` is an accessor on Navigator.prototype (WebIDL): deleting it leaves `navigator.locks` undefined.
  delete (Navigator.prototype as { locks?: LockManager }).locks
}
