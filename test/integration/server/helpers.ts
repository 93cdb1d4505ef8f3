import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { pino } from 'pino';
import type { Logger } from 'pino';

import type { CollectionName } from '../../../sync/protocol/collections.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { toReplicatedDocument } from '../../../sync/protocol/documents.js';
import type { AuditEventInput } from '../../../sync/protocol/fhir/audit-event.js';
import { buildAuditEvent, PATIENT_RECORD_TYPE, SESSION_EVENTS, USER_AUTHENTICATION_TYPE } from '../../../sync/protocol/fhir/audit-event.js';
import { buildVitalSignsPanel } from '../../../sync/protocol/fhir/vital-signs.js';
import type { Checkpoint, PullResponse, PushRejection, PushResponse, PushRow, SignInResponse, WireDocument } from '../../../sync/protocol/wire.js';
import type { CreateServerOptions, SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';

/** The seed's and the tokens' clock in every server test. */
export const TEST_NOW = new Date('2026-03-02T08:00:00.000Z');
export const WARD_4A = 'ward-4a';
export const WARD_7B = 'ward-7b';

export type Backend = 'postgresql' | 'pglite';
export const BACKENDS: readonly Backend[] = ['postgresql', 'pglite'];

/** The `test` database of the local PostgreSQL, from which each test file creates its own. */
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Where a test server keeps its data: a fresh PostgreSQL database or a PGlite folder. */
export interface TestStorage {
  backend: Backend;
  databaseUrl?: string;
  dataDir?: string;
  cleanup(): Promise<void>;
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named PostgreSQL database, dropped by the returned storage's cleanup. */
export async function createPostgresStorage(label: string): Promise<TestStorage> {
  const name = `hms_server_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    backend: 'postgresql',
    databaseUrl: url.toString(),
    cleanup: () => withAdminClient(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`))),
  };
}

/** Creates a PGlite data folder in the system's temporary folder, so that a server can restart on it. */
export async function createPgliteStorage(): Promise<TestStorage> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hms-server-test-'));
  return { backend: 'pglite', dataDir, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
}

export function createStorage(backend: Backend, label: string): Promise<TestStorage> {
  return backend === 'postgresql' ? createPostgresStorage(label) : createPgliteStorage();
}

/** Starts a seeded server on 127.0.0.1 and a free port, over the given storage. */
export function startServer(storage: TestStorage, options: CreateServerOptions = {}): Promise<SyncServer> {
  return createServer({
    ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : {}),
    ...(storage.dataDir ? { dataDir: storage.dataDir } : {}),
    seed: { now: TEST_NOW },
    now: () => TEST_NOW,
    logLevel: 'silent',
    ...options,
  });
}

export interface HttpResult<Body> {
  status: number;
  body: Body;
  headers: Headers;
}

export async function request<Body = unknown>(baseUrl: string, method: string, requestPath: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResult<Body>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${requestPath}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Body, headers: response.headers };
}

export async function signIn(baseUrl: string, username: string, wardId = WARD_4A, workstationId = 'ws-test'): Promise<SignInResponse> {
  const result = await request<SignInResponse>(baseUrl, 'POST', '/auth/sign-in', { body: { username, password: `${username}-demo`, wardId, workstationId } });
  if (result.status !== 200) throw new Error(`Sign-in of ${username} failed with ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

/** A signed-in workstation talking to the sync routes. */
export class SyncClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  static async signIn(baseUrl: string, options: { username?: string; wardId?: string; workstationId?: string } = {}): Promise<SyncClient> {
    const response = await signIn(baseUrl, options.username ?? 'nurse', options.wardId ?? WARD_4A, options.workstationId ?? 'ws-test');
    return new SyncClient(baseUrl, response.token);
  }

  pull(collection: CollectionName, checkpoint: Checkpoint | null, limit = 100): Promise<HttpResult<PullResponse>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (checkpoint) query.set('checkpoint', JSON.stringify(checkpoint));
    return request<PullResponse>(this.baseUrl, 'GET', `/sync/${collection}/pull?${query}`, { token: this.token });
  }

  push(collection: CollectionName, rows: PushRow[]): Promise<HttpResult<PushResponse>> {
    return request<PushResponse>(this.baseUrl, 'POST', `/sync/${collection}/push`, { token: this.token, body: { rows } });
  }

  /** Pulls page after page until a page comes back short; returns every document and the last checkpoint. */
  async pullAll(collection: CollectionName, from: Checkpoint | null = null, limit = 1000): Promise<{ documents: WireDocument[]; checkpoint: Checkpoint | null; pages: number }> {
    const documents: WireDocument[] = [];
    let checkpoint = from;
    let pages = 0;
    for (;;) {
      const page = await this.pull(collection, checkpoint, limit);
      if (page.status !== 200) throw new Error(`Pull of ${collection} failed with ${page.status}: ${JSON.stringify(page.body)}`);
      pages++;
      documents.push(...page.body.documents);
      checkpoint = page.body.checkpoint;
      if (page.body.documents.length < limit) return { documents, checkpoint, pages };
    }
  }
}

/** Wraps a resource as a wire document, deriving its fields the way a workstation does. */
export function wireDocumentOf(resource: FhirResource, wardOfLocation: (locationId: string) => string | undefined = () => undefined): WireDocument {
  return { ...toReplicatedDocument(resource, { wardOfLocation }).document, _deleted: false };
}

/** Builds a complete, normal set of vital signs for a patient, as a nurse's workstation would build it. */
export function vitalSignsDocument(id: string, patientId: string, effectiveDateTime = TEST_NOW.toISOString()): WireDocument {
  return wireDocumentOf(
    buildVitalSignsPanel({
      id,
      patientId,
      effectiveDateTime,
      performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
      observations: { respiratoryRate: 16, spo2: 97, onOxygen: false, systolicBloodPressure: 124, pulse: 72, consciousness: 'A', temperature: 36.8 },
      scale: 1,
    }),
  );
}

/** Maps every seeded bed and ward to its ward, as a workstation does from its pulled Locations. */
export function wardOfSeededLocation(locationId: string): string | undefined {
  if (locationId.startsWith('bed-4a-') || locationId === WARD_4A) return WARD_4A;
  if (locationId.startsWith('bed-7b-') || locationId === WARD_7B) return WARD_7B;
  return undefined;
}

/** Builds an AuditEvent of a patient record read, as a workstation writes one, with `overrides` on top. */
export function auditEventDocument(id: string, patientIds: readonly string[], overrides: Partial<AuditEventInput> = {}): WireDocument {
  return wireDocumentOf(
    buildAuditEvent({
      id,
      recorded: TEST_NOW.toISOString(),
      type: PATIENT_RECORD_TYPE,
      subtype: { system: 'urn:hms:api-call', code: 'chart:open' },
      action: 'R',
      outcome: '0',
      user: { id: 'user-nurse', name: 'Demo Nurse' },
      workstationId: 'ws-test',
      patientIds,
      ...overrides,
    }),
  );
}

/** Builds the AuditEvent of a sign-in, which names no patient. */
export function signInAuditEventDocument(id: string, user: { id: string; name: string }): WireDocument {
  return auditEventDocument(id, [], { type: USER_AUTHENTICATION_TYPE, subtype: SESSION_EVENTS.signIn, action: 'E', user });
}

/** Returns the id of a bed of the ward that no active Encounter occupies, read through the client's pulls. */
export async function freeBedOf(client: SyncClient): Promise<string> {
  const beds = (await client.pullAll('reference')).documents.filter((document) => document.id.startsWith('Location/bed-')).map((document) => document.resource.id as string);
  const occupied = new Set(
    (await client.pullAll('records')).documents
      .filter((document) => document.resourceType === 'Encounter' && document.resource.status === 'in-progress')
      .map((document) => ((document.resource.location as { location: { reference: string } }[])[0]?.location.reference ?? '').replace('Location/', '')),
  );
  const free = beds.find((bed) => !occupied.has(bed));
  if (!free) throw new Error('No free bed in the ward of this client');
  return free;
}

/** Builds a new patient's Patient and in-progress Encounter at a Location, as a bedside registration pushes them. */
export function admissionDocuments(patient: FhirResource, locationId: string): { patient: WireDocument; encounter: WireDocument } {
  const encounter: FhirResource = {
    resourceType: 'Encounter',
    id: `admission-${patient.id as string}`,
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    subject: { reference: `Patient/${patient.id as string}` },
    period: { start: TEST_NOW.toISOString() },
    location: [{ location: { reference: `Location/${locationId}` }, status: 'active' }],
  };
  return { patient: wireDocumentOf(patient), encounter: wireDocumentOf(encounter, wardOfSeededLocation) };
}

/** A pino logger that keeps every line it writes, parsed, so that a test can check what the server logs. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly logger: Logger = pino({ level: 'info' }, { write: (line: string) => void this.lines.push(JSON.parse(line) as Record<string, unknown>) });

  /** Returns every line as JSON text, for checks that some value appears nowhere. */
  text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }

  withMessage(message: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.msg === message);
  }
}

/** Returns the ids of the seeded patients of a ward, read through a pull with that ward's token. */
export async function patientIdsOfWard(server: SyncServer, wardId: string): Promise<string[]> {
  const client = await SyncClient.signIn(server.url, { wardId });
  const { documents } = await client.pullAll('records');
  return documents.filter((document) => document.resourceType === 'Patient').map((document) => document.resource.id as string);
}

/** A server-sent event as read off the wire. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * Reads /sync/stream and lets a test wait for the next event that matches, without sleeping.
 * Events that arrive while no test waits for them are queued.
 */
export class EventStreamReader {
  readonly #queue: StreamEvent[] = [];
  readonly #waiters: { match: (event: StreamEvent) => boolean; resolve: (event: StreamEvent) => void }[] = [];
  readonly #abort = new AbortController();
  #ended = false;
  #resolveEnded: () => void = () => undefined;
  readonly #endedPromise = new Promise<void>((resolve) => {
    this.#resolveEnded = resolve;
  });

  private constructor(readonly status: number) {}

  static async open(baseUrl: string, token: string | undefined): Promise<EventStreamReader> {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/sync/stream`, {
      headers: { accept: 'text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      signal: controller.signal,
    });
    const reader = new EventStreamReader(response.status);
    reader.#abort.signal.addEventListener('abort', () => controller.abort());
    if (response.body) void reader.#read(response.body);
    return reader;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length) ?? 'message';
          const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length)).join('\n');
          this.#deliver({ event, data: data ? JSON.parse(data) : undefined });
        }
      }
    } catch {
      // Aborted by close(), or the server ended the stream.
    }
    this.#ended = true;
    this.#resolveEnded();
  }

  #deliver(event: StreamEvent): void {
    const index = this.#waiters.findIndex((waiter) => waiter.match(event));
    if (index >= 0) {
      const [waiter] = this.#waiters.splice(index, 1);
      waiter?.resolve(event);
    } else {
      this.#queue.push(event);
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves when the server ends the stream; rejects after `timeoutMs`. */
  async waitForEnd(timeoutMs = 15_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for the server to end the stream`)), timeoutMs);
    });
    try {
      await Promise.race([this.#endedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the first queued or future event that matches; rejects after `timeoutMs`. */
  next(match: (event: StreamEvent) => boolean = () => true, timeoutMs = 15_000): Promise<StreamEvent> {
    const index = this.#queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.#queue.splice(index, 1)[0] as StreamEvent);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (event: StreamEvent) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for a matching event; received meanwhile: ${JSON.stringify(this.#queue)}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Drops the queued events, so that `next` only returns events that arrive from now on. */
  clear(): void {
    this.#queue.length = 0;
  }

  close(): void {
    this.#abort.abort();
  }
}

export const isResync = (collection?: CollectionName) => (event: StreamEvent) =>
  event.event === 'resync' && (collection === undefined || ((event.data as { collections: string[] }).collections ?? []).includes(collection));

/**
 * The refusal of document `id` in a push the server answered with 200: the server refuses bad
 * documents one by one and writes the rest. Fails when the push failed as a whole or `id` was not
 * refused.
 */
export function refusalOf(result: HttpResult<PushResponse>, id: string): PushRejection {
  if (result.status !== 200) throw new Error(`The push failed as a whole with ${result.status}: ${JSON.stringify(result.body)}`);
  const refusal = result.body.rejected.find((rejection) => rejection.id === id);
  if (!refusal) throw new Error(`Document ${id} was not refused; refused: ${JSON.stringify(result.body.rejected)}`);
  return refusal;
}
