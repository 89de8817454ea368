export * from './src/index.js'; export * from './src/par.js'
