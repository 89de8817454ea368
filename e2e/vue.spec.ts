// The Vue example (examples/vue, on its vite dev server) against the mock provider.
import { describeExampleApp } from './example-apps'

describeExampleApp('Vue', 'http://localhost:5176')
