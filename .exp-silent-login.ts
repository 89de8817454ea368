export * from './src/index.js'; export * from './src/silent-login.js'
