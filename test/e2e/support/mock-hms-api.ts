import type { Page } from 'playwright-core';

import type {
  ApiErrorBody,
  ApiResult,
  CallAccess,
  CallDefinition,
  PatientChart,
  PatientContact,
  PatientSearchResult,
  SessionInfo,
  SessionState,
  SyncStatus,
  VitalSignsSet,
  WardPatientRow,
} from '../../../preload/api/index.js';
import { WARD_CLINICIANS, breakTheGlassInput, calls, events, listCalls, recordVitalsInput, scoreNews2, setSpO2ScaleInput, updateContactInput } from '../../../preload/api/index.js';
import type { ScannerView, ScanSettings } from '../../../preload/api/scan-schemas.js';
import { DEFAULT_WEDGE_TIMINGS } from '../../../preload/api/scan-schemas.js';
import type { MockPatient, MockRole, MockUser } from './mock-data.js';
import { mockPatients, mockSession, mockUserWithRole, mockUsers } from './mock-data.js';
import { MockLab, MockLabError } from './mock-lab.js';

/**
 * A fake `window.hms` for looking at the renderer without the core. The handlers run in Node;
 * the page gets a small bridge that forwards each declared call through `page.exposeBinding` and
 * receives events through `emit()`. Failed calls reject with a plain Error that carries `code`
 * and `issues`, as errors do after crossing Electron's contextBridge. Like the core's gateway, the
 * mock rejects a call that the contract does not allow the user's roles with `forbidden`, and a
 * locked mock rejects every call not marked `allowedWhileLocked` with `locked`.
 *
 * The bridge sends the page's `Date.now()` with each call, and the mock uses it as its clock for
 * the inactivity lock, so that `lockAt` matches a page that runs on Playwright's fake clock.
 */

export const MOCK_PASSWORD = 'preview';

/** A username the mock treats as never signed in online at this workstation, for the offline error. */
export const MOCK_UNKNOWN_OFFLINE_USERNAME = 'newstaff';

export interface MockOptions {
  /** Role of the user a `signedIn` mock starts with. */
  role?: MockRole;
  now?: Date;
  /** Start signed in, as after a reload, instead of on the sign-in screen. */
  signedIn?: boolean;
  /** Start signed in and locked. */
  locked?: boolean;
  /** Sign users in as the core does when the central server is unreachable. */
  offline?: boolean;
  lockAfterMinutes?: number;
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

/** Lowercases and strips accents, so that a search matches "Müller" for "muller". */
function normalizeForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

/** Rejects a call without a session or for roles the contract does not allow, with the gateway's messages. */
function checkAccess(access: CallAccess, session: SessionInfo | null, channel: string): void {
  if (access === 'public') return;
  if (session === null) throw new MockCallError({ code: 'unauthenticated', message: `Sign in to use ${channel}` });
  if (access === 'signed-in') return;
  if (!session.user.roles.some((role) => access.includes(role))) {
    throw new MockCallError({
      code: 'forbidden',
      message: `${channel} needs the role ${access.join(' or ')}; ${session.user.username} has ${session.user.roles.join(', ') || 'no role'}`,
    });
  }
}

/** One break-the-glass call the mock granted, for the preview's checks. */
export interface MockEmergencyAccess {
  patientId: string;
  userId: string;
  reason: string;
}

export class MockHms {
  readonly patients: MockPatient[];
  session: SessionInfo | null;
  locked: boolean;
  syncStatus: SyncStatus;
  /** Local times at which the page reported activity, in epoch milliseconds. */
  readonly activityReports: number[] = [];
  readonly emergencyAccesses: MockEmergencyAccess[] = [];
  /** The lab bench's connections, messages and review queue. */
  readonly lab: MockLab;
  #page: Page | null = null;
  readonly #eventSinks: ((channel: string, payload: unknown) => void)[] = [];
  /** Emergency access granted in this session, by patient id. */
  readonly #emergencyAccess = new Map<string, NonNullable<PatientChart['emergencyAccess']>>();
  /** When the inactivity period last restarted, in the page's epoch milliseconds. */
  #lastActivityAt: number;
  #nextVitalsId = 1;
  readonly #now: Date;
  readonly #offline: boolean;
  readonly #lockAfterMinutes: number;

  constructor(options: MockOptions = {}) {
    this.#now = options.now ?? new Date();
    this.#offline = options.offline ?? false;
    this.#lockAfterMinutes = options.lockAfterMinutes ?? 15;
    const startUser = mockUserWithRole(options.role ?? 'nurse');
    this.patients = mockPatients(this.#now, this.#sessionFor(startUser).ward.name);
    const startSignedIn = options.signedIn === true || options.locked === true;
    this.session = startSignedIn ? this.#sessionFor(startUser) : null;
    this.locked = options.locked === true;
    this.#lastActivityAt = Date.now();
    this.lab = new MockLab(this.#now, (change) => void this.emit(events.labChanged.channel, change));
    this.syncStatus = options.syncStatus ?? {
      state: this.#offline ? 'offline' : 'online',
      pendingChanges: 0,
      oldestPendingAt: null,
      rejectedChanges: 0,
      openConflicts: 0,
      liveUpdates: this.#offline ? { flowing: false, interruptedSince: new Date(this.#now.getTime() - 40_000).toISOString() } : { flowing: true, interruptedSince: null },
      initialSync: null,
      lastSuccessfulSyncAt: new Date(this.#now.getTime() - 40_000).toISOString(),
      lastError: this.#offline ? 'Central server unreachable (ECONNREFUSED)' : null,
    };
  }

  /** Installs the bridge in `page`; call before the first navigation. */
  async install(page: Page): Promise<void> {
    this.#page = page;
    await page.exposeBinding('__hmsMockCall', (_source, channel: string, input: unknown, pageNow: number) => this.call(channel, input, pageNow));
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

  /** When the core would lock without further activity, as `SessionState.lockAt` gives it. */
  lockAt(): string | null {
    if (this.session === null || this.locked) return null;
    return new Date(this.#lastActivityAt + this.#lockAfterMinutes * 60_000).toISOString();
  }

  /** Locks the session as the core does after the inactivity period. */
  async lock(): Promise<void> {
    this.locked = true;
    await this.emit(events.sessionLocked.channel, { reason: 'inactivity' });
  }

  /** Names and MRNs of every mock patient, for checking that a screen shows none of them. */
  patientIdentifiers(): string[] {
    return this.patients.flatMap(({ chart }) => [chart.name, ...(chart.mrn === null ? [] : [chart.mrn])]);
  }

  #handlers(now: number): Record<string, Handler> {
    return {
      [calls.session.signIn.channel]: (input) => this.#signIn(input, now),
      [calls.session.signOut.channel]: () => {
        const session = this.#requireSession();
        this.#endSession();
        void this.emit(events.sessionEnded.channel, { reason: 'signed-out', userId: session.user.id });
        return null;
      },
      [calls.session.current.channel]: (): SessionState => ({ session: this.session, locked: this.locked, lockAt: this.lockAt() }),
      [calls.session.serverReachable.channel]: () => ({ reachable: !this.#offline }),
      [calls.session.unlock.channel]: (input) => this.#unlock(input, now),
      [calls.session.activity.channel]: () => {
        this.#requireSession();
        if (!this.locked) {
          this.activityReports.push(now);
          this.#lastActivityAt = now;
        }
        return { lockAt: this.lockAt() };
      },
      [calls.ward.listPatients.channel]: () => {
        this.#requireSession();
        return this.patients.filter((patient) => patient.inScope).map((patient) => this.#wardRow(patient));
      },
      [calls.ward.enrolment.channel]: () => ({ kind: this.#requireSession().ward.id === 'lab-core' ? 'department' : 'ward' }),
      [calls.patient.search.channel]: (input) => this.#search(input),
      [calls.patient.breakTheGlass.channel]: (input) => this.#breakTheGlass(input),
      [calls.patient.getChart.channel]: (input) => this.#chartOf(this.#findReadablePatient(input)),
      [calls.patient.setSpO2Scale.channel]: (input) => this.#setScale(input),
      [calls.vitals.list.channel]: (input) => this.#findReadablePatient(input).vitals,
      [calls.vitals.record.channel]: (input) => this.#record(input),
      [calls.sync.status.channel]: () => {
        this.#requireSession();
        return this.syncStatus;
      },
      [calls.patient.getContact.channel]: (input) => this.#contactOf(input),
      [calls.patient.updateContact.channel]: (input) => this.#updateContact(input),
      [calls.sync.listConflicts.channel]: () => [],
      [calls.sync.listRejected.channel]: () => [],
      [calls.sync.resolveConflict.channel]: () => {
        throw new MockCallError({ code: 'not-found', message: 'The preview has no conflicts' });
      },
      [calls.sync.resendRejected.channel]: () => {
        throw new MockCallError({ code: 'not-found', message: 'The preview has no refused changes' });
      },
      ...this.lab.handlers(() => this.#requireSession().user.id),
      // Scans: no site patterns, no HID scanner, and wedge scans only counted.
      [calls.scan.settings.channel]: (): ScanSettings => ({ wristbandPattern: null, specimenPattern: null, extraGroupSeparators: [], wedge: DEFAULT_WEDGE_TIMINGS }),
      [calls.scan.scanners.channel]: (): ScannerView[] => [
        { id: 'wedge', kind: 'wedge', name: 'Keyboard-wedge scanners', vendorId: null, productId: null, state: 'disconnected', reason: null, scans: 0, lastScanAt: null },
      ],
      [calls.scan.reportWedgeScan.channel]: () => null,
      [calls.lab.specimen.channel]: () => null,
    };
  }

  /** Contact details by patient id, as the preview's edits left them; patients start with none. */
  readonly #contacts = new Map<string, Pick<PatientContact, 'phone' | 'nextOfKin' | 'syncState'>>();

  #contactOf(input: unknown): PatientContact {
    const patient = this.#findReadablePatient(input);
    const patientId = patient.chart.patientId;
    const stored = this.#contacts.get(patientId) ?? { phone: null, nextOfKin: null, syncState: 'synced' as const };
    return { patientId, ...stored, openConflict: null, editable: patient.inScope };
  }

  #updateContact(input: unknown): PatientContact {
    this.#requireSession();
    const parsed = updateContactInput.strict().safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      throw new MockCallError({ code: 'invalid-input', message: 'The contact details are invalid.', issues });
    }
    const { patientId, phone, nextOfKin } = parsed.data;
    this.#findPatient({ patientId });
    const kin = nextOfKin === null ? null : { name: nextOfKin.name, relationship: nextOfKin.relationship === '' ? null : nextOfKin.relationship, phone: nextOfKin.phone };
    this.#contacts.set(patientId, { phone, nextOfKin: kin, syncState: 'pending' });
    return this.#contactOf({ patientId });
  }

  /** Runs one call as the core's gateway would, returning its outcome as data. `now` is the caller's clock, in epoch milliseconds. */
  async call(channel: string, input: unknown, now: number = Date.now()): Promise<ApiResult<unknown>> {
    const handler = this.#handlers(now)[channel];
    const definition = listCalls().find((candidate) => candidate.channel === channel);
    if (handler === undefined || definition === undefined) return { ok: false, error: { code: 'unknown-channel', message: `Unknown channel ${channel}` } };
    try {
      checkAccess(definition.access, this.session, channel);
      if (this.session !== null && this.locked && definition.allowedWhileLocked !== true) {
        throw new MockCallError({ code: 'locked', message: `The workstation is locked; ${this.session.user.username} must unlock it first` });
      }
      return { ok: true, value: handler(input) };
    } catch (error) {
      if (error instanceof MockCallError || error instanceof MockLabError) return { ok: false, error: error.body };
      throw error;
    }
  }

  #sessionFor(user: MockUser): SessionInfo {
    return mockSession(this.#now, user, { mode: this.#offline ? 'offline' : 'online', lockAfterMinutes: this.#lockAfterMinutes });
  }

  #requireSession(): SessionInfo {
    if (this.session === null) throw new MockCallError({ code: 'unauthenticated', message: 'Sign in first.' });
    return this.session;
  }

  #endSession(): void {
    this.session = null;
    this.locked = false;
    this.#emergencyAccess.clear();
  }

  #signIn(input: unknown, now: number): SessionInfo {
    const { username, password } = input as { username: string; password: string };
    if (this.#offline && username === MOCK_UNKNOWN_OFFLINE_USERNAME) {
      throw new MockCallError({
        code: 'unauthenticated',
        message: `The central server is unreachable, and ${username} has not signed in on this workstation while it was online, so offline sign-in is not possible here. Sign in once the central server can be reached again, or at a workstation where you signed in before`,
      });
    }
    const user = mockUsers.find((candidate) => candidate.username === username);
    if (user === undefined || password !== MOCK_PASSWORD) throw new MockCallError({ code: 'unauthenticated', message: 'Username or password is incorrect' });

    // As in the core, a sign-in over an existing session ends that session first.
    if (this.session !== null) {
      const replacedUserId = this.session.user.id;
      this.#endSession();
      void this.emit(events.sessionEnded.channel, { reason: 'replaced', userId: replacedUserId });
    }
    this.session = { ...this.#sessionFor(user), signedInAt: new Date(now).toISOString() };
    this.#lastActivityAt = now;
    return this.session;
  }

  #unlock(input: unknown, now: number): SessionInfo {
    const session = this.#requireSession();
    if (!this.locked) return session;
    const { password } = input as { password: string };
    if (password !== MOCK_PASSWORD) throw new MockCallError({ code: 'unauthenticated', message: 'Username or password is incorrect' });
    this.locked = false;
    this.#lastActivityAt = now;
    return session;
  }

  #search(input: unknown): PatientSearchResult[] {
    this.#requireSession();
    const query = (input as { query: string }).query.trim();
    const words = normalizeForSearch(query).split(/\s+/).filter((word) => word !== '');
    return this.patients
      .filter(({ chart }) => chart.mrn?.toLowerCase() === query.toLowerCase() || words.every((word) => normalizeForSearch(chart.name).includes(word)))
      .map(({ chart, inScope }) => ({
        patientId: chart.patientId,
        name: chart.name,
        mrn: chart.mrn,
        birthDate: chart.birthDate,
        ageYears: chart.ageYears,
        gender: chart.gender,
        wardName: chart.wardName,
        bed: chart.bed,
        inScope,
      }));
  }

  #breakTheGlass(input: unknown): PatientChart {
    const session = this.#requireSession();
    if (!session.user.roles.some((role) => WARD_CLINICIANS.includes(role))) {
      throw new MockCallError({ code: 'forbidden', message: 'Only nurses and doctors may open a chart with emergency access' });
    }
    const parsed = breakTheGlassInput.strict().safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      throw new MockCallError({ code: 'invalid-input', message: 'The emergency access request is invalid.', issues });
    }
    const patient = this.#findPatient({ patientId: parsed.data.patientId });
    if (!patient.inScope) {
      const openedAt = new Date().toISOString();
      this.#emergencyAccess.set(patient.chart.patientId, { reason: parsed.data.reason, openedAt, openedBy: session.user.displayName });
      this.emergencyAccesses.push({ patientId: patient.chart.patientId, userId: session.user.id, reason: parsed.data.reason });
    }
    return this.#chartOf(patient);
  }

  #chartOf(patient: MockPatient): PatientChart {
    if (patient.inScope) return { ...patient.chart, access: 'ward', emergencyAccess: null };
    return { ...patient.chart, access: 'emergency', emergencyAccess: this.#emergencyAccess.get(patient.chart.patientId) ?? null };
  }

  #findPatient(input: unknown): MockPatient {
    this.#requireSession();
    const { patientId } = input as { patientId: string };
    const patient = this.patients.find((candidate) => candidate.chart.patientId === patientId);
    if (patient === undefined) throw new MockCallError({ code: 'not-found', message: `Patient ${patientId} not found.` });
    return patient;
  }

  /** Finds a patient of this ward, or of another ward after break the glass in this session. */
  #findReadablePatient(input: unknown): MockPatient {
    const patient = this.#findPatient(input);
    if (!patient.inScope && !this.#emergencyAccess.has(patient.chart.patientId)) {
      throw new MockCallError({ code: 'forbidden', message: `Patient ${patient.chart.patientId} is on another ward; open the chart by breaking the glass` });
    }
    return patient;
  }

  #wardRow({ chart, vitals }: MockPatient): WardPatientRow {
    const latest = vitals.find((set) => set.news2.total !== null);
    const newest = vitals[0];
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
      latestVitals:
        newest === undefined
          ? null
          : { effectiveDateTime: newest.effectiveDateTime, complete: newest.news2.complete, singleParameterThree: newest.news2.singleParameterThree },
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
      syncState: 'pending',
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
      const outcome = await window.__hmsMockCall(channel, input === undefined ? {} : input, Date.now());
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
