export { handlePopupCallback } from './dist/popup.js'
