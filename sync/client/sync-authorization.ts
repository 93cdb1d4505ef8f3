import { BehaviorSubject } from 'rxjs';

import type { Logger } from './logger.js';
import type { ServerClient } from './server-client.js';
import { ServerAuthError, ServerUserDisabledError } from './server-client.js';

/** What an online sign-in gave this workstation to sync with. */
export interface SyncCredentials {
  userId: string;
  /** Access token: authorises requests for minutes. */
  token: string;
  /** The server's expiry of the access token, by the server's clock; for display only. */
  expiresAt: string;
  /** Seconds the access token lived when it was issued. */
  expiresIn?: number;
  /** When to renew the access token, by this workstation's clock; set from `expiresIn` on receipt. */
  renewAt?: string;
  /** Renews the access token until `refreshExpiresAt`; absent in credentials saved before refresh tokens. */
  refreshToken?: string;
  refreshExpiresAt?: string;
}

/** Runs a request to the server with a valid access token (see SyncAuthorization.request). */
export type AuthorizedRequest = <T>(send: (token: string) => Promise<T>) => Promise<T>;

/** No usable credentials: a user must sign in while the server is reachable. */
export class SignInRequiredError extends ServerAuthError {
  override name = 'SignInRequiredError';
}

export interface SyncAuthorizationOptions {
  server: ServerClient;
  logger: Logger;
  now: () => Date;
  /** Saves renewed credentials, so that a restart goes on with the newest access token. */
  onRenewed: (credentials: SyncCredentials) => void;
  /** The credentials can no longer be renewed: the saved copy must go. */
  onSpent: () => void;
  /** Renew this long before the access token expires, so that requests rarely meet a 401. */
  renewBeforeMs?: number;
}

const DEFAULT_RENEW_BEFORE_MS = 60_000;

/**
 * Keeps the workstation's sync credentials and hands every request a valid access token. One
 * renewal at a time serves every caller: push, pull and the event stream that meet an expired
 * token together wait for the same POST /auth/refresh, then retry once with its token. When the
 * refresh token is spent (its shift is over, or the user was disabled or removed), requests wait
 * for the next online sign-in instead of looping on 401, and `signInRequired$` says so.
 */
export class SyncAuthorization {
  readonly signInRequired$ = new BehaviorSubject<boolean>(false);
  readonly #options: SyncAuthorizationOptions;
  #credentials: SyncCredentials | undefined;
  #renewal: Promise<void> | undefined;
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #stopped = false;

  constructor(options: SyncAuthorizationOptions) {
    this.#options = options;
  }

  /** The current access token, for callers that only need to know whether one exists. */
  get token(): string | undefined {
    return this.#credentials?.token;
  }

  get userId(): string | undefined {
    return this.#credentials?.userId;
  }

  /** Takes the credentials of a sign-in, or of the saved copy at start, and releases waiting requests. */
  set(credentials: SyncCredentials): void {
    this.#credentials = this.#withRenewalTime(credentials);
    if (this.signInRequired$.getValue()) this.signInRequired$.next(false);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /**
   * Runs `send` with a valid access token. On a 401 it renews the token once (shared with every
   * concurrent caller) and sends again; a second 401 means the server no longer accepts this
   * sign-in. With `waitForSignIn`, a request without credentials waits for the next sign-in
   * rather than failing.
   */
  async request<T>(send: (token: string) => Promise<T>, options: { waitForSignIn?: boolean } = {}): Promise<T> {
    if (options.waitForSignIn) await this.#whenSignedIn();
    const token = await this.#validToken();
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof ServerAuthError)) throw error;
      await this.renew(token);
    }
    const renewed = this.#credentials?.token;
    if (!renewed) throw new SignInRequiredError('Sign in again while the central server is reachable');
    try {
      return await send(renewed);
    } catch (error) {
      if (error instanceof ServerAuthError) this.#spend('the server refused a freshly renewed access token');
      throw error;
    }
  }

  /**
   * Renews the access token that `failedToken` was, unless another caller already did. Throws
   * SignInRequiredError when the refresh token is spent, ServerUserDisabledError when the user
   * was disabled, and ServerUnreachableError when the server could not be asked.
   */
  async renew(failedToken: string): Promise<void> {
    const credentials = this.#credentials;
    if (!credentials) throw new SignInRequiredError('Sign in again while the central server is reachable');
    if (credentials.token !== failedToken) return;
    this.#renewal ??= this.#renewOnce(credentials).finally(() => {
      this.#renewal = undefined;
    });
    return this.#renewal;
  }

  /** Forgets the credentials, as at sign-out of the syncing user; requests wait for a sign-in. */
  clear(): void {
    this.#credentials = undefined;
  }

  /** Ends every wait; a request waiting for a sign-in fails with `reason`. */
  stop(reason = 'replication stopped'): void {
    this.#stopped = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(new Error(reason));
    this.signInRequired$.complete();
  }

  #whenSignedIn(): Promise<void> {
    if (this.#credentials) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new Error('replication stopped'));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Times the renewal by this workstation's clock from the token's lifetime, not from the server's
   * expiry instant: a workstation whose clock is off would otherwise renew at every request, or
   * never. Whether a token has expired is the server's decision, answered with 401.
   */
  #withRenewalTime(credentials: SyncCredentials): SyncCredentials {
    if (credentials.renewAt || !credentials.expiresIn) return credentials;
    const lifetimeMs = credentials.expiresIn * 1000;
    const renewInMs = Math.max(lifetimeMs - (this.#options.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS), lifetimeMs / 2);
    return { ...credentials, renewAt: new Date(this.#options.now().getTime() + renewInMs).toISOString() };
  }

  /** The access token, renewed first when its renewal time has come. */
  async #validToken(): Promise<string> {
    const credentials = this.#credentials;
    if (!credentials) throw new SignInRequiredError('No sync token: a user must sign in while the central server is reachable');
    if (credentials.refreshToken && credentials.renewAt && this.#options.now().getTime() >= Date.parse(credentials.renewAt)) await this.renew(credentials.token);
    const token = this.#credentials?.token;
    if (!token) throw new SignInRequiredError('Sign in again while the central server is reachable');
    return token;
  }

  async #renewOnce(credentials: SyncCredentials): Promise<void> {
    const { refreshToken } = credentials;
    if (!refreshToken) {
      this.#spend('the saved sign-in has no refresh token');
      throw new SignInRequiredError('The sync sign-in has expired: sign in again while the central server is reachable');
    }
    try {
      const renewed = await this.#options.server.refresh(refreshToken);
      // A sign-in that happened meanwhile brought newer credentials: keep those.
      if (this.#credentials !== credentials) return;
      const { renewAt: _previous, ...rest } = credentials;
      this.#credentials = this.#withRenewalTime({ ...rest, token: renewed.token, expiresAt: renewed.expiresAt, expiresIn: renewed.expiresIn });
      this.#options.onRenewed(this.#credentials);
      this.#options.logger.info({ userId: credentials.userId, expiresAt: renewed.expiresAt }, 'sync access token renewed');
    } catch (error) {
      if (error instanceof ServerAuthError) {
        this.#spend('the server refused the refresh token');
        throw new SignInRequiredError('The central server ended this sign-in: sign in again while it is reachable', { cause: error });
      }
      if (error instanceof ServerUserDisabledError) this.#spend('the user is disabled on the server');
      throw error;
    }
  }

  #spend(reason: string): void {
    if (!this.#credentials) return;
    this.#options.logger.warn({ userId: this.#credentials.userId, reason }, 'sync paused until a user signs in while online');
    this.#credentials = undefined;
    this.#options.onSpent();
    if (!this.signInRequired$.getValue() && !this.signInRequired$.closed) this.signInRequired$.next(true);
  }
}
