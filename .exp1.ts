export { createAuthClient } from './src/core/client.js'
export { AuthError } from './src/core/errors.js'
