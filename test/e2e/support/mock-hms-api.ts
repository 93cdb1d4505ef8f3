import type { Page } from 'playwright-core';

import type {
  ApiErrorBody,
  ApiResult,
  CallDefinition,
  PatientChart,
  SessionInfo,
  SyncStatus,
  VitalSignsSet,
  WardPatientRow,
} from '../../../preload/api/index.js';
import { calls, events, recordVitalsInput, scoreNews2, setSpO2ScaleInput } from '../../../preload/api/index.js';
import type { MockPatient } from './mock-data.js';
import { mockPatients, mockSession } from './mock-data.js';

/**
 * A fake `window.hms` for looking at the renderer without the core. The handlers run in Node;
 * the page gets a small bridge that forwards each declared call through `page.exposeBinding` and
 * receives events through `emit()`. Failed calls reject with a plain Error that carries `code`
 * and `issues`, as errors do after crossing Electron's contextBridge.
 */

export const MOCK_PASSWORD = 'preview';

export interface MockOptions {
  role?: 'nurse' | 'doctor' | 'pharmacist';
  now?: Date;
  /** Start signed in, as after a reload, instead of on the sign-in screen. */
  signedIn?: boolean;
  syncStatus?: SyncStatus;
}

type Handler = (input: unknown) => unknown;

class MockCallError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
  }
}

function ageFromChart(chart: PatientChart): Pick<WardPatientRow, 'birthDate' | 'ageYears'> {
  return { birthDate: chart.birthDate, ageYears: chart.ageYears };
}

export class MockHms {
  readonly patients: MockPatient[];
  session: SessionInfo | null;
  syncStatus: SyncStatus;
  #page: Page | null = null;
  readonly #eventSinks: ((channel: string, payload: unknown) => void)[] = [];
  #nextVitalsId = 1;
  readonly #options: Required<Pick<MockOptions, 'role' | 'now'>>;

  constructor(options: MockOptions = {}) {
    const now = options.now ?? new Date();
    this.#options = { role: options.role ?? 'nurse', now };
    const session = mockSession(now, this.#options.role);
    this.patients = mockPatients(now, session.ward.name);
    this.session = options.signedIn === true ? session : null;
    this.syncStatus = options.syncStatus ?? {
      state: 'online',
      pendingChanges: 0,
      lastSuccessfulSyncAt: new Date(now.getTime() - 40_000).toISOString(),
      lastError: null,
    };
  }

  /** Installs the bridge in `page`; call before the first navigation. */
  async install(page: Page): Promise<void> {
    this.#page = page;
    await page.exposeBinding('__hmsMockCall', (_source, channel: string, input: unknown) => this.call(channel, input));
    await page.addInitScript({ content: `(${BRIDGE_SOURCE})(${JSON.stringify(describeContract())});` });
  }

  /** Also sends every event to `sink`, for a transport other than the page bridge. */
  addEventSink(sink: (channel: string, payload: unknown) => void): void {
    this.#eventSinks.push(sink);
  }

  /** Pushes an event to the page, as the core does. */
  async emit(channel: string, payload: unknown): Promise<void> {
    for (const sink of this.#eventSinks) sink(channel, payload);
    await this.#page?.evaluate(([name, value]) => (window as unknown as { __hmsMockEmit(c: unknown, p: unknown): void }).__hmsMockEmit(name, value), [
      channel,
      payload,
    ] as const);
  }

  async setSyncStatus(status: SyncStatus): Promise<void> {
    this.syncStatus = status;
    await this.emit(events.syncStatus.channel, status);
  }

  #handlers(): Record<string, Handler> {
    return {
      [calls.session.signIn.channel]: (input) => this.#signIn(input),
      [calls.session.signOut.channel]: () => {
        this.#requireSession();
        this.session = null;
        return null;
      },
      [calls.session.current.channel]: () => this.session,
      [calls.ward.listPatients.channel]: () => {
        this.#requireSession();
        return this.patients.map((patient) => this.#wardRow(patient));
      },
      [calls.patient.getChart.channel]: (input) => this.#findPatient(input).chart,
      [calls.patient.setSpO2Scale.channel]: (input) => this.#setScale(input),
      [calls.vitals.list.channel]: (input) => this.#findPatient(input).vitals,
      [calls.vitals.record.channel]: (input) => this.#record(input),
      [calls.sync.status.channel]: () => {
        this.#requireSession();
        return this.syncStatus;
      },
    };
  }

  /** Runs one call as the core's gateway would, returning its outcome as data. */
  async call(channel: string, input: unknown): Promise<ApiResult<unknown>> {
    const handler = this.#handlers()[channel];
    if (handler === undefined) return { ok: false, error: { code: 'unknown-channel', message: `Unknown channel ${channel}` } };
    try {
      return { ok: true, value: handler(input) };
    } catch (error) {
      if (error instanceof MockCallError) return { ok: false, error: error.body };
      throw error;
    }
  }

  #requireSession(): SessionInfo {
    if (this.session === null) throw new MockCallError({ code: 'unauthenticated', message: 'Sign in first.' });
    return this.session;
  }

  #signIn(input: unknown): SessionInfo {
    const { password } = input as { username: string; password: string };
    if (password !== MOCK_PASSWORD) throw new MockCallError({ code: 'unauthenticated', message: 'Invalid username or password.' });
    this.session = mockSession(this.#options.now, this.#options.role);
    return this.session;
  }

  #findPatient(input: unknown): MockPatient {
    this.#requireSession();
    const { patientId } = input as { patientId: string };
    const patient = this.patients.find((candidate) => candidate.chart.patientId === patientId);
    if (patient === undefined) throw new MockCallError({ code: 'not-found', message: `Patient ${patientId} not found.` });
    return patient;
  }

  #wardRow({ chart, vitals }: MockPatient): WardPatientRow {
    const latest = vitals.find((set) => set.news2.total !== null);
    return {
      patientId: chart.patientId,
      bed: chart.bed,
      name: chart.name,
      ...ageFromChart(chart),
      gender: chart.gender,
      mrn: chart.mrn,
      allergyStatus: chart.allergyStatus,
      allergyCount: chart.allergies.length,
      latestNews2:
        latest?.news2.total == null || latest.news2.responseLevel === null
          ? null
          : {
              total: latest.news2.total,
              responseLevel: latest.news2.responseLevel,
              singleParameterThree: latest.news2.singleParameterThree,
              effectiveDateTime: latest.effectiveDateTime,
            },
    };
  }

  #setScale(input: unknown): PatientChart {
    const session = this.#requireSession();
    if (!session.user.roles.includes('doctor')) throw new MockCallError({ code: 'forbidden', message: 'Only a doctor may set the SpO2 scale.' });
    const { patientId, scale } = setSpO2ScaleInput.parse(input);
    const patient = this.#findPatient({ patientId });
    patient.chart = {
      ...patient.chart,
      spo2Scale: scale === 1 ? { scale: 1, decidedBy: null, decidedAt: null } : { scale: 2, decidedBy: session.user.displayName, decidedAt: new Date().toISOString() },
    };
    return patient.chart;
  }

  #record(input: unknown): VitalSignsSet {
    const session = this.#requireSession();
    const parsed = recordVitalsInput.strict().safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      throw new MockCallError({ code: 'invalid-input', message: 'The observations are invalid.', issues });
    }
    const patient = this.#findPatient({ patientId: parsed.data.patientId });
    const set: VitalSignsSet = {
      id: `obs-recorded-${this.#nextVitalsId++}`,
      patientId: patient.chart.patientId,
      effectiveDateTime: parsed.data.effectiveDateTime ?? new Date().toISOString(),
      recordedBy: session.user.displayName,
      observations: parsed.data.observations,
      news2: scoreNews2(parsed.data.observations, patient.chart.spo2Scale.scale),
      generated: false,
    };
    patient.vitals = [set, ...patient.vitals];
    this.syncStatus = { ...this.syncStatus, pendingChanges: this.syncStatus.pendingChanges + 1 };
    void this.emit(events.syncStatus.channel, this.syncStatus);
    void this.emit(events.replicaChanged.channel, { resourceTypes: ['Observation'] });
    return set;
  }
}

/** Lists the call and event names that the bridge builds `window.hms` from, read from the contract. */
function describeContract() {
  const callList = Object.entries(calls).flatMap(([area, areaCalls]) =>
    Object.entries(areaCalls as Record<string, CallDefinition>).map(([verb, definition]) => ({ area, verb, channel: definition.channel })),
  );
  const eventList = Object.entries(events).map(([name, definition]) => ({
    key: `on${name.charAt(0).toUpperCase()}${name.slice(1)}`,
    channel: definition.channel,
  }));
  return { calls: callList, events: eventList };
}

/**
 * Runs in the page before its scripts. Kept as plain JavaScript text because a function compiled
 * by tsx may call helpers that do not exist in the page.
 */
const BRIDGE_SOURCE = String.raw`function installHmsBridge(contract) {
  const listeners = new Map();
  window.__hmsMockEmit = (channel, payload) => {
    for (const listener of listeners.get(channel) || []) listener(payload);
  };
  const api = {};
  for (const { area, verb, channel } of contract.calls) {
    api[area] = api[area] || {};
    api[area][verb] = async (input) => {
      const outcome = await window.__hmsMockCall(channel, input === undefined ? {} : input);
      if (outcome.ok) return outcome.value;
      throw Object.assign(new Error(outcome.error.message), outcome.error);
    };
  }
  api.events = {};
  for (const { key, channel } of contract.events) {
    api.events[key] = (listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return () => listeners.get(channel).delete(listener);
    };
  }
  Object.defineProperty(window, 'hms', { value: Object.freeze(api), writable: false });
}`;
