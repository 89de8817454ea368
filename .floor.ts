import * as oauth from 'oauth4webapi'
import { createStore, get, set, del } from 'idb-keyval'
export const x = [oauth.discoveryRequest, oauth.processDiscoveryResponse, oauth.generateRandomCodeVerifier, oauth.calculatePKCECodeChallenge, oauth.generateRandomState, oauth.generateRandomNonce, oauth.validateAuthResponse, oauth.authorizationCodeGrantRequest, oauth.processAuthorizationCodeResponse, oauth.refreshTokenGrantRequest, oauth.processRefreshTokenResponse, oauth.revocationRequest, oauth.processRevocationResponse, oauth.getValidatedIdTokenClaims, oauth.None, createStore, get, set, del]
