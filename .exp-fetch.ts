export * from './src/index.js'; export * from './src/fetch.js'
