// Everything the server remembers: config, sessions, codes, token families, faults, counters, log.
import { randomBytes } from 'node:crypto';
import { DEFAULT_CONFIG, mergeConfig } from './config.mjs';
import { PROFILES, issuerOf } from './profiles.mjs';
import { FaultQueue } from './faults.mjs';

const LOG_LIMIT = 2000;

function randomToken() {
  return randomBytes(32).toString('base64url');
}

function emptyStats() {
  return {
    tokenRequests: { authorization_code: 0, refresh_token: 0, total: 0 },
    reuseDetections: 0,
    reuseEvents: [],
    revocations: 0,
    revokedTokens: [],
    endSessions: 0,
    lastEndSession: null,
    userinfoRequests: 0,
    apiRequests: 0,
    authorizeRequests: 0,
    faultsServed: 0,
  };
}

/**
 * A token family is everything issued from one authorization code: its access tokens and its chain
 * of rotated refresh tokens. Replaying a used code or a rotated refresh token revokes the family.
 */
export class ProviderState {
  constructor({ clients, config }) {
    this.origin = '';
    this.clients = new Map(clients.map((client) => [client.client_id, client]));
    this.faults = new FaultQueue();
    this.reset(config);
  }

  /** The issuer of the current profile: the origin, plus a path for most (Entra's tenant, Keycloak's realm...). */
  get issuer() {
    return issuerOf(this.origin, this.config.profile);
  }

  get profile() {
    return PROFILES[this.config.profile];
  }

  /** A profile's config defaults apply first, then the test's own patch over them. */
  reset(configPatch) {
    const profile = mergeConfig(DEFAULT_CONFIG, { profile: configPatch?.profile ?? 'default' }).profile;
    this.config = mergeConfig(mergeConfig(DEFAULT_CONFIG, { profile, ...PROFILES[profile].config }), configPatch);
    this.sessions = new Map();
    this.interactions = new Map();
    this.codes = new Map();
    this.accessTokens = new Map();
    this.refreshTokens = new Map();
    this.lastTokens = null; // the last token response issued (see /__control/last-tokens)
    this.faults.clear();
    this.lastDrop = null; // the last request a 'drop' fault dropped, to catch its browser resend
    this.stats = emptyStats();
    this.log = [];
  }

  updateConfig(patch) {
    this.config = mergeConfig(this.config, patch);
  }

  /** The server's clock, which tests can skew to play a client whose clock is off. */
  nowMs() {
    return Date.now() + this.config.clockOffsetSeconds * 1000;
  }

  nowSeconds() {
    return Math.floor(this.nowMs() / 1000);
  }

  startSession() {
    const session = { id: randomToken(), user: { ...this.config.user }, authTime: this.nowSeconds() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** Parks an authorization request while the login page waits for the user's decision. */
  startInteraction(request) {
    const id = randomToken();
    this.interactions.set(id, request);
    return id;
  }

  /** Each interaction can be decided once. */
  finishInteraction(id) {
    const request = this.interactions.get(id);
    this.interactions.delete(id);
    return request;
  }

  issueCode(request, session) {
    const code = randomToken();
    this.codes.set(code, {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      scope: request.scope,
      user: session.user,
      authTime: session.authTime,
      expiresAt: this.nowMs() + this.config.codeTtl * 1000,
      used: false,
      family: null,
    });
    return code;
  }

  createFamily(code) {
    return {
      clientId: code.clientId,
      user: code.user,
      scope: code.scope,
      authTime: code.authTime,
      accessTokens: [],
      refreshTokens: [],
    };
  }

  issueAccessToken(family, scope) {
    const token = randomToken();
    const record = { family, scope, expiresAt: this.nowMs() + this.config.accessTokenTtl * 1000, revoked: false };
    this.accessTokens.set(token, record);
    family.accessTokens.push(record);
    return token;
  }

  issueRefreshToken(family) {
    const token = randomToken();
    const record = { family, state: 'active', expiresAt: this.nowMs() + this.config.refreshTokenTtl * 1000 };
    this.refreshTokens.set(token, record);
    family.refreshTokens.push(record);
    return token;
  }

  revokeFamily(family) {
    for (const record of family.refreshTokens) record.state = 'revoked';
    for (const record of family.accessTokens) record.revoked = true;
  }

  /**
   * A refresh token presented a second time means it leaked: cut off whoever holds the newer ones.
   * The event keeps what shows whether a response was lost in flight instead: the reusing request
   * was one its client had given up on, or the answer that rotated the token never reached its client.
   */
  detectRefreshTokenReuse(token, record, { requestAbandoned }) {
    this.stats.reuseDetections += 1;
    const rotationUndelivered = record.rotation?.undelivered ?? false;
    this.stats.reuseEvents.push({ t: Date.now(), refreshToken: token, requestAbandoned, rotationUndelivered });
    this.revokeFamily(record.family);
  }

  /** Returns the access token's record when it may still be used, else null. */
  findUsableAccessToken(token) {
    const record = this.accessTokens.get(token);
    if (!record || record.revoked || record.expiresAt <= this.nowMs()) return null;
    return record;
  }

  /** 'active' | 'rotated' | 'revoked' | 'expired' | 'unknown' */
  refreshTokenState(token) {
    const record = this.refreshTokens.get(token);
    if (!record) return 'unknown';
    if (record.state === 'active' && record.expiresAt <= this.nowMs()) return 'expired';
    return record.state;
  }

  /**
   * RFC 7009 revocation on behalf of `clientId`. A refresh token takes its whole family with it.
   * Returns which kind of token it was: 'refresh_token', 'access_token' or 'unknown'. Another
   * client's token is left alone and reported as unknown, which does not reveal that it exists.
   */
  revokeToken(token, clientId) {
    const refresh = this.refreshTokens.get(token);
    const access = this.accessTokens.get(token);
    const family = (refresh ?? access)?.family;
    if (!family || family.clientId !== clientId) return 'unknown';
    if (refresh) {
      this.revokeFamily(family);
      return 'refresh_token';
    }
    access.revoked = true;
    return 'access_token';
  }

  countTokenRequest(grantType) {
    const counts = this.stats.tokenRequests;
    counts.total += 1;
    if (Object.hasOwn(counts, grantType) && grantType !== 'total') counts[grantType] += 1;
  }

  record(entry) {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.shift();
  }

  statsSnapshot() {
    return structuredClone({
      ...this.stats,
      pendingFaults: this.faults.pending,
      activeRefreshTokens: [...this.refreshTokens.keys()].filter((t) => this.refreshTokenState(t) === 'active').length,
      log: this.log,
    });
  }
}
