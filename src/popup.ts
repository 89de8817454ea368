/**
 * `pixie-auth/popup`: log in in a popup window, and the popup's callback page.
 *
 * @module pixie-auth/popup
 */
export { loginWithPopup, type PopupLoginOptions } from './features/popup.js'
export { handlePopupCallback } from './features/popup-callback.js'
