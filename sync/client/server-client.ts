import type { CollectionName } from '../protocol/collections.js';
import type {
  Checkpoint,
  EmergencyAccessResponse,
  PatientSearchResponse,
  PullResponse,
  PushResponse,
  PushRow,
  RefreshResponse,
  SignInRequest,
  SignInResponse,
  UserStatusResponse,
} from '../protocol/wire.js';
import {
  PULL_LINES_MEDIA_TYPE,
  PULL_LINES_SUMMARY_PARAMETER,
  emergencyAccessResponse,
  patientSearchResponse,
  pullResponse,
  pushResponse,
  refreshResponse,
  signInResponse,
  USER_DISABLED_ERROR,
  userStatusResponse,
} from '../protocol/wire.js';

import type { PullLinesResponse } from './pull-lines.js';
import { parsePullLines, parseSummaryLines } from './pull-lines.js';
import type { WardConfigurationResponse } from '../protocol/ward-configuration.js';
import { wardConfigurationResponse } from '../protocol/ward-configuration.js';

export type { PushRejection } from '../protocol/wire.js';

/**
 * HTTP client of the reference central server's sync protocol (see sync/protocol/wire.ts). Every
 * failure becomes one of three errors so that callers can tell "try again later" from "sign in
 * again" from "a bug or a misconfiguration that retrying will not fix".
 */

/** The server could not be reached or did not respond in time, so retry later. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

/** The server rejected the credentials or the token (HTTP 401). */
export class ServerAuthError extends Error {
  override name = 'ServerAuthError';
}

/** The user is disabled on the server (HTTP 403 `user-disabled`): their cached password must go. */
export class ServerUserDisabledError extends Error {
  override name = 'ServerUserDisabledError';
}

/** The server returned another error status, or a body that breaks the protocol. */
export class ServerProtocolError extends Error {
  override name = 'ServerProtocolError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ServerClientOptions {
  /** Base URL of the central server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

export interface PullOptions {
  /** Requests `total`, the count of documents left in the feed, from the server. */
  total?: boolean;
}

/** Header of every server response that names its dataset (see sync/server/dataset-epoch.ts). */
const DATASET_EPOCH_HEADER = 'x-hms-dataset-epoch';
/** Marks the pushes of a workstation's re-send after the dataset changed, so that the server counts what it recovered. */
const RECONCILE_HEADER = 'x-hms-reconcile';

export class ServerClient {
  readonly baseUrl: string;
  /** The dataset epoch of the last response that carried one; the replication compares it with the one it synced with. */
  datasetEpoch: string | undefined;
  /** Set while the workstation re-sends everything after a dataset change; its pushes say so. */
  reconciling = false;
  readonly #timeoutMs: number;

  constructor(options: ServerClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  async signIn(request: SignInRequest): Promise<SignInResponse> {
    const body = await this.#request('POST', '/auth/sign-in', { body: request });
    return parse(signInResponse, body, 'sign-in');
  }

  /** Buys a new access token with the refresh token of a sign-in. */
  async refresh(refreshToken: string): Promise<RefreshResponse> {
    const body = await this.#request('POST', '/auth/refresh', { body: { refreshToken } });
    return parse(refreshResponse, body, 'refresh');
  }

  /**
   * Pulls one page of the collection's change feed after `checkpoint`. With `total`, the response
   * also carries `total`, the number of documents from this page to the end of the feed, for an
   * initial sync's progress. Counting costs the server a scan of the ward's feed, so ask for it on
   * the first pull, not on every page.
   */
  async pull(token: string, collection: CollectionName, checkpoint: Checkpoint | undefined, limit: number, options: PullOptions = {}): Promise<PullResponse> {
    const body = await this.#request('GET', `/sync/${collection}/pull?${pullQuery(checkpoint, limit, options)}`, { token });
    return parse(pullResponse, body, `pull of ${collection}`);
  }

  /**
   * Pulls the same page as `pull`, sent as lines (see PULL_LINES_MEDIA_TYPE), and returns each
   * document's JSON text beside it, which the initial load stores without serialising again.
   */
  async pullLines(token: string, collection: CollectionName, checkpoint: Checkpoint | undefined, limit: number, options: PullOptions = {}): Promise<PullLinesResponse> {
    const path = `/sync/${collection}/pull?${pullQuery(checkpoint, limit, options)}`;
    const { body, status, contentType } = await this.#send('GET', path, { token, headers: { accept: `${PULL_LINES_MEDIA_TYPE}; ${PULL_LINES_SUMMARY_PARAMETER}` } });
    // A server without summaries sends plain lines, and its content type then lacks the parameter.
    const summaries = contentType.split(';').some((parameter) => parameter.trim() === PULL_LINES_SUMMARY_PARAMETER);
    try {
      return summaries ? parseSummaryLines(body) : parsePullLines(body.toString('utf8'));
    } catch (error) {
      throw new ServerProtocolError(`The central server's page of ${collection} is invalid: ${(error as Error).message}`, status);
    }
  }

  /**
   * Returns the master state of each document whose assumed master state was stale, and the
   * documents the server refused one by one.
   */
  async push(token: string, collection: CollectionName, rows: PushRow[]): Promise<PushResponse> {
    const body = await this.#request('POST', `/sync/${collection}/push`, { token, body: { rows }, ...(this.reconciling ? { headers: { [RECONCILE_HEADER]: '1' } } : {}) });
    return parse(pushResponse, body, `push of ${collection}`);
  }

  /** Current status and roles of the users whose passwords this workstation caches. */
  async userStatus(token: string, userIds: string[]): Promise<UserStatusResponse['users']> {
    const body = await this.#request('POST', '/auth/users/status', { token, body: { userIds } });
    return parse(userStatusResponse, body, 'users/status').users;
  }

  async searchPatients(token: string, query: string): Promise<PatientSearchResponse['results']> {
    const body = await this.#request('GET', `/patients/search?${new URLSearchParams({ q: query })}`, { token });
    return parse(patientSearchResponse, body, 'patient search').results;
  }

  async emergencyAccess(token: string, patientId: string, reason: string, workstationId: string): Promise<EmergencyAccessResponse> {
    const body = await this.#request('POST', `/patients/${encodeURIComponent(patientId)}/emergency-access`, { token, body: { reason, workstationId } });
    return parse(emergencyAccessResponse, body, 'emergency access');
  }

  /** The configuration IT set for the ward in the token, with revision 0 when there is none. */
  async wardConfiguration(token: string): Promise<WardConfigurationResponse> {
    const body = await this.#request('GET', '/ward/configuration', { token });
    return parse(wardConfigurationResponse, body, 'ward configuration');
  }

  async health(): Promise<boolean> {
    try {
      await this.#request('GET', '/health/', {});
      return true;
    } catch (error) {
      if (error instanceof ServerUnreachableError || error instanceof ServerProtocolError) return false;
      throw error;
    }
  }

  streamUrl(): string {
    return `${this.baseUrl}/sync/stream`;
  }

  async #request(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<unknown> {
    const { body, status } = await this.#send(method, path, options);
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new ServerProtocolError(`${method} ${path.split('?')[0]} returned a body that is not JSON`, status);
    }
  }

  /** Sends a request and returns the bytes and content type of a successful response. */
  async #send(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ body: Buffer; status: number; contentType: string }> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new ServerUnreachableError(`Central server ${this.baseUrl} is unreachable (${describeFetchError(error)})`, { cause: error });
    }

    const epoch = response.headers.get(DATASET_EPOCH_HEADER);
    if (epoch) this.datasetEpoch = epoch;
    // The bytes, not the text: summary lines keep each document's bytes as they came (pull-lines.ts).
    const body = Buffer.from(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
    const text = response.ok ? '' : body.toString('utf8');
    if (response.status === 401) throw new ServerAuthError(serverMessage(text) ?? 'The central server rejected the credentials');
    if (response.status === 403 && serverErrorCode(text) === USER_DISABLED_ERROR) {
      throw new ServerUserDisabledError(serverMessage(text) ?? 'The account is disabled on the central server');
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      throw new ServerUnreachableError(`Central server ${this.baseUrl} is unavailable (HTTP ${response.status})`);
    }
    if (!response.ok) {
      throw new ServerProtocolError(`${method} ${path.split('?')[0]} failed with HTTP ${response.status}: ${serverMessage(text) ?? 'no message'}`, response.status);
    }
    return { body, status: response.status, contentType: response.headers.get('content-type') ?? '' };
  }
}

function pullQuery(checkpoint: Checkpoint | undefined, limit: number, options: PullOptions): URLSearchParams {
  const query = new URLSearchParams({ limit: String(limit) });
  if (checkpoint) query.set('checkpoint', JSON.stringify(checkpoint));
  if (options.total) query.set('total', '1');
  return query;
}

function parse<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ServerProtocolError(`The server's response to ${what} breaks the sync protocol: ${result.error.message}`, 200);
  return result.data;
}

function serverErrorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

function serverMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    return typeof body.message === 'string' ? body.message : undefined;
  } catch {
    return undefined;
  }
}

/** Short reason of a failed fetch for logs and the sync indicator, e.g. `ECONNREFUSED` or `timed out`. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
