export * from './src/index.js'; export * from './src/dpop.js'
