export * from './src/index.js'; export * from './src/userinfo.js'
