export function renderCore(): Promise<string>
export function renderReact(): Promise<string>
export function renderVue(): Promise<string>
export function checkServerRendering(names: Array<'core' | 'react' | 'vue'>): Promise<string[]>
