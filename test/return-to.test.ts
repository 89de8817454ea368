import { describe, expect, it } from 'vitest'
import { returnToPath } from '../src/core/return-to.js'

const origin = 'https://app.example.com'
const check = (returnTo: unknown) => returnToPath({ returnTo }, origin)

describe('returnToPath', () => {
  it.each([
    ['/orders/42?tab=items#top', '/orders/42?tab=items#top'],
    ['/', '/'],
    ['https://app.example.com/settings?x=1', '/settings?x=1'],
    ['/a/../b', '/b'],
  ])('keeps the same-origin path %s', (returnTo, expected) => {
    expect(check(returnTo)).toBe(expected)
  })

  it.each([
    '//evil.com',
    '//evil.com/path',
    '/\\evil.com',
    '\\\\evil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    ' //evil.com',
    '/.//evil.com',
    'https://evil.com',
    'https://app.example.com.evil.com/',
    'https://app.example.com@evil.com/',
    'http://app.example.com/',
    'https://app.example.com:8443/',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'blob:https://app.example.com/uuid',
  ])('refuses %j, which leaves the app', (returnTo) => {
    expect(check(returnTo)).toBeUndefined()
  })

  it.each([undefined, null, 'just a string', 42, { returnTo: 42 }, { returnTo: ['/'] }, { other: '/' }])(
    'finds nothing in appState %j',
    (appState) => {
      expect(returnToPath(appState, origin)).toBeUndefined()
    },
  )
})
