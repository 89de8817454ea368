// The mock provider (e2e/provider/config.mjs registers http://localhost:5177/callback for this client).
export const ISSUER = 'http://127.0.0.1:4010'
export const CLIENT_ID = 'pixie-e2e'
