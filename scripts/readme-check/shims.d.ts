// The README's recipes for frameworks this repository does not install (Next.js, Svelte, Angular,
// RxJS) are type-checked against these declarations: the few signatures the recipes use, copied
// from each library's own types (simplified where a union does not matter here). So the check
// proves what the README does with pixie-auth, and that it calls those libraries as they are typed.

declare module 'next/navigation' {
  /** The App Router's router (next/navigation `AppRouterInstance`). */
  export function useRouter(): {
    push(href: string, options?: { scroll?: boolean }): void
    replace(href: string, options?: { scroll?: boolean }): void
  }
}

declare module 'svelte/store' {
  export interface Readable<T> {
    subscribe(run: (value: T) => void, invalidate?: () => void): () => void
  }
  export function readable<T>(
    value?: T,
    start?: (set: (value: T) => void, update: (updater: (value: T) => T) => void) => void | (() => void),
  ): Readable<T>
}

declare module 'rxjs' {
  export interface Observable<T> {
    pipe<A>(operator: (source: Observable<T>) => Observable<A>): Observable<A>
  }
  export function from<T>(input: PromiseLike<T>): Observable<T>
  export function switchMap<T, R>(project: (value: T, index: number) => Observable<R>): (source: Observable<T>) => Observable<R>
}

declare module '@angular/common/http' {
  import type { Observable } from 'rxjs'
  export interface HttpRequest<T> {
    readonly url: string
    readonly body: T | null
    clone(update: { setHeaders?: Record<string, string | string[]> }): HttpRequest<T>
  }
  export interface HttpEvent<T> {
    readonly type: number
    readonly body?: T | null
  }
  export type HttpHandlerFn = (request: HttpRequest<unknown>) => Observable<HttpEvent<unknown>>
  export type HttpInterceptorFn = (request: HttpRequest<unknown>, next: HttpHandlerFn) => Observable<HttpEvent<unknown>>
}

declare module '@angular/router' {
  import type { Observable } from 'rxjs'
  export interface ActivatedRouteSnapshot {
    readonly url: unknown[]
  }
  export interface RouterStateSnapshot {
    readonly url: string
  }
  export interface UrlTree {
    readonly fragment: string | null
  }
  export type GuardResult = boolean | UrlTree
  export type MaybeAsync<T> = T | Observable<T> | Promise<T>
  export type CanActivateFn = (route: ActivatedRouteSnapshot, state: RouterStateSnapshot) => MaybeAsync<GuardResult>
}

declare module '*.vue' {
  const component: import('vue').Component
  export default component
}
