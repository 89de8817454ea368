// The page a loginWithPopup() popup, or a silent-login iframe, comes back to. Like an app's own, it
// creates no client and completes nothing: it hands the response to the window waiting for it.
import { handlePopupCallback } from 'pixie-auth/popup'

const handed = handlePopupCallback()
document.getElementById('status')!.textContent = handed ? 'handed over' : 'no authorization response'
