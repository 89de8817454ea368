// The React example (examples/react, under <StrictMode>, on its vite dev server) against the mock provider.
import { describeExampleApp } from './example-apps'

describeExampleApp('React', 'http://localhost:5175')
