// RS256 signing key and compact JWS helpers, built on node:crypto only.
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';

/** A fresh key per server start: tests must fetch it from /jwks like a real client would. */
export function createSigningKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('base64url');
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { privateKey, publicKey, kid, jwk };
}

function encodeJson(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function signJwt(key, claims) {
  const signingInput = `${encodeJson({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${encodeJson(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Returns the claims when `jwt` carries a valid RS256 signature by `key`, else null. Claims are not checked here. */
export function verifyJwt(key, jwt) {
  const parts = String(jwt).split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts;
  try {
    if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'RS256') return null;
    const valid = verify('sha256', Buffer.from(`${header}.${payload}`), key.publicKey, Buffer.from(signature, 'base64url'));
    return valid ? JSON.parse(Buffer.from(payload, 'base64url').toString()) : null;
  } catch {
    return null;
  }
}
