export * from './src/index.js'; export * from './src/popup.js'
