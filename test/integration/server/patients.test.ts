import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Role } from '../../../preload/api/roles.js';
import type { FhirResource } from '../../../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../../../sync/protocol/fhir/identifiers.js';
import type { EmergencyAccessReports, EmergencyAccessResponse, PatientSearchResponse, WireDocument } from '../../../sync/protocol/wire.js';
import { emergencyAccessReports, emergencyAccessResponse, errorResponse, patientSearchResponse } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { HttpResult, TestStorage } from './helpers.js';
import {
  admissionDocuments,
  auditEventDocument,
  BACKENDS,
  createStorage,
  freeBedOf,
  LogCapture,
  request,
  startServer,
  SyncClient,
  TEST_NOW,
  vitalSignsDocument,
  WARD_4A,
  WARD_7B,
  wardOfSeededLocation,
  wireDocumentOf,
} from './helpers.js';

const MULLER_ID = 'anna-lucia-muller';
const MULLER_MRN = '70000001';
/** Patients whose given name is Müller's MRN, so that a search by that MRN matches them by name too. */
const NAMED_LIKE_THE_MRN = ['aaa-named-like-the-mrn', 'doe-named-like-the-mrn'];
const DISCHARGED_ID = 'discharged-muller';
const CAPACITY_PATIENTS = 55;
const REASON = 'Cardiac arrest on the corridor, need allergies and vitals';

function patientResource(id: string, family: string, given: string[], mrn: string): FhirResource {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ use: 'official', system: MRN_SYSTEM, value: mrn }],
    name: [{ use: 'official', family, given }],
    gender: 'female',
    birthDate: '1950-04-01',
  };
}

function errorOf(result: HttpResult<unknown>): { error: string; message: string } {
  return errorResponse.parse(result.body);
}

describe.each(BACKENDS)('patient search and emergency access on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let logs: LogCapture;
  const clients = new Map<string, SyncClient>();
  let mullerBed: string;
  let seededPatient7b: WireDocument;

  function client(username: Role, wardId = WARD_4A): SyncClient {
    const found = clients.get(`${username}@${wardId}`);
    if (!found) throw new Error(`No client for ${username} in ${wardId}`);
    return found;
  }

  async function search(q: string, username: Role = 'nurse'): Promise<HttpResult<PatientSearchResponse>> {
    return request<PatientSearchResponse>(server.url, 'GET', `/patients/search?q=${encodeURIComponent(q)}`, { token: client(username).token });
  }

  async function searchIds(q: string): Promise<string[]> {
    const result = await search(q);
    expect(result.status, q).toBe(200);
    return patientSearchResponse.parse(result.body).results.map((found) => found.patient.resource.id as string);
  }

  async function emergencyAccess(patientId: string, body: unknown, username: Role = 'nurse'): Promise<HttpResult<EmergencyAccessResponse>> {
    return request<EmergencyAccessResponse>(server.url, 'POST', `/patients/${encodeURIComponent(patientId)}/emergency-access`, { token: client(username).token, body });
  }

  async function reports(since: string, username: Role = 'it-administrator'): Promise<HttpResult<EmergencyAccessReports>> {
    return request<EmergencyAccessReports>(server.url, 'GET', `/audit/emergency-access?since=${encodeURIComponent(since)}`, { token: client(username).token });
  }

  async function reportCount(): Promise<number> {
    const { rows } = await server.database.query<{ count: string }>('SELECT count(*)::text AS count FROM emergency_access');
    return Number(rows[0]?.count);
  }

  beforeAll(async () => {
    storage = await createStorage(backend, 'patients');
    logs = new LogCapture();
    server = await startServer(storage, { logger: logs.logger });
    for (const username of ['nurse', 'doctor', 'pharmacist', 'lab-technician', 'radiologist', 'it-administrator'] as const) {
      clients.set(`${username}@${WARD_4A}`, await SyncClient.signIn(server.url, { username, wardId: WARD_4A, workstationId: `ws-4a-${username}` }));
    }
    const nurse7b = await SyncClient.signIn(server.url, { wardId: WARD_7B, workstationId: 'ws-7b-nurse' });
    clients.set(`nurse@${WARD_7B}`, nurse7b);
    seededPatient7b = (await nurse7b.pullAll('records')).documents.find((document) => document.resourceType === 'Patient') as WireDocument;

    // Ward 7B admits Anna Lúcia Müller to a bed, with an allergy and a set of vital signs.
    mullerBed = await freeBedOf(nurse7b);
    const muller = admissionDocuments(patientResource(MULLER_ID, 'Müller', ['Anna', 'Lúcia'], MULLER_MRN), mullerBed);
    const allergy = wireDocumentOf({
      resourceType: 'AllergyIntolerance',
      id: `${MULLER_ID}-penicillin`,
      code: { coding: [{ system: 'http://snomed.info/sct', code: '91936005', display: 'Allergy to penicillin' }] },
      patient: { reference: `Patient/${MULLER_ID}` },
    });
    expect((await nurse7b.push('records', [{ newDocumentState: muller.patient }, { newDocumentState: muller.encounter }, { newDocumentState: allergy }])).status).toBe(200);
    expect((await nurse7b.push('entries', [{ newDocumentState: vitalSignsDocument(`${MULLER_ID}-vitals`, MULLER_ID) }])).status).toBe(200);

    // The patients named like the MRN lie in ward 7B without a bed. A third patient is discharged.
    const others = [
      admissionDocuments(patientResource(NAMED_LIKE_THE_MRN[0] as string, 'Aaa', [MULLER_MRN], '70000002'), WARD_7B),
      admissionDocuments(patientResource(NAMED_LIKE_THE_MRN[1] as string, 'Doe', [MULLER_MRN], '70000003'), WARD_7B),
      admissionDocuments(patientResource(DISCHARGED_ID, 'Müller', ['Berta'], '70000004'), WARD_7B),
    ];
    expect((await nurse7b.push('records', others.flatMap(({ patient, encounter }) => [{ newDocumentState: patient }, { newDocumentState: encounter }]))).status).toBe(200);
    const admission = (others[2] as { encounter: WireDocument }).encounter;
    const discharge = wireDocumentOf({ ...admission.resource, status: 'finished' }, wardOfSeededLocation);
    expect((await nurse7b.push('records', [{ newDocumentState: discharge, assumedMasterState: admission }])).status).toBe(200);
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  describe('search', () => {
    it('finds a patient of another ward by MRN', async () => {
      const result = await search(seededPatient7b.mrn as string);
      expect(result.status).toBe(200);
      const [first] = patientSearchResponse.parse(result.body).results;
      expect(first?.patient).toEqual(seededPatient7b);
      expect(first?.wardId).toBe(WARD_7B);
      expect(first?.wardName).toBe('Ward 7B – Surgical');
      expect(first?.bed).toMatch(/^7B-\d{2}$/);
    });

    it('returns the ward and bed of the active Encounter', async () => {
      const result = await search('anna muller');
      const found = patientSearchResponse.parse(result.body).results.find((candidate) => candidate.patient.id === `Patient/${MULLER_ID}`);
      expect(found?.wardId).toBe(WARD_7B);
      expect(found?.wardName).toBe('Ward 7B – Surgical');
      expect(found?.bed).toBe(mullerBed.replace('bed-', '').toUpperCase());
    });

    it('finds "Müller" by "muller"', async () => {
      expect(await searchIds('muller')).toContain(MULLER_ID);
    });

    it.each(['Müller Anna', 'anna müller', 'LUCIA mull', 'lúcia  anna', 'ann müll lu'])('finds Müller by "%s"', async (q) => {
      expect(await searchIds(q)).toContain(MULLER_ID);
    });

    it('requires every word to match', async () => {
      expect(await searchIds('muller anna')).toContain(MULLER_ID);
      expect(await searchIds('muller zoe')).not.toContain(MULLER_ID);
    });

    it('ranks the exact MRN first', async () => {
      expect(await searchIds(MULLER_MRN)).toEqual([MULLER_ID, ...NAMED_LIKE_THE_MRN]);
    });

    it('matches the MRN exactly, not a part of it', async () => {
      expect(await searchIds(MULLER_MRN.slice(0, 6))).not.toContain(MULLER_ID);
    });

    it('returns nulls for a discharged patient', async () => {
      const result = await search('berta muller');
      const found = patientSearchResponse.parse(result.body).results.find((candidate) => candidate.patient.id === `Patient/${DISCHARGED_ID}`);
      expect(found).toMatchObject({ wardId: null, wardName: null, bed: null });
    });

    it('returns a null bed for a patient placed in the ward itself', async () => {
      const result = await search(`aaa ${MULLER_MRN}`);
      const [found] = patientSearchResponse.parse(result.body).results;
      expect(found).toMatchObject({ wardId: WARD_7B, wardName: 'Ward 7B – Surgical', bed: null });
    });

    it('treats % and _ as plain characters', async () => {
      expect(await searchIds('%%')).toEqual([]);
      expect(await searchIds('m_ller')).toEqual([]);
    });

    it('returns at most 50 patients', async () => {
      const nurse = client('nurse');
      const rows = Array.from({ length: CAPACITY_PATIENTS }, (_, index) => {
        const id = `capacity-${String(index).padStart(2, '0')}`;
        return admissionDocuments(patientResource(id, 'Capacity', [`Test${index}`], `8000${String(index).padStart(4, '0')}`), WARD_4A);
      });
      const pushed = await nurse.push('records', rows.flatMap(({ patient, encounter }) => [{ newDocumentState: patient }, { newDocumentState: encounter }]));
      expect(pushed.status).toBe(200);

      const ids = await searchIds('capacity');
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
    });

    it.each(['', 'a', ' b ', 'x'.repeat(101)])('rejects the search text "%s" with 400', async (q) => {
      const result = await search(q);
      expect(result.status).toBe(400);
      expect(errorOf(result).message).toContain('q must have 2 to 100 characters');
    });

    it('rejects a request without q with 400', async () => {
      const result = await request(server.url, 'GET', '/patients/search', { token: client('nurse').token });
      expect(result.status).toBe(400);
    });

    it('allows chart readers and radiologists only', async () => {
      for (const username of ['nurse', 'doctor', 'pharmacist', 'radiologist'] as const) {
        expect((await search('muller', username)).status, username).toBe(200);
      }
      for (const username of ['lab-technician', 'it-administrator'] as const) {
        const result = await search('muller', username);
        expect(result.status, username).toBe(403);
        expect(errorOf(result).message, username).toContain('nurse, doctor, pharmacist or radiologist');
      }
    });

    it('keeps search texts out of the log', async () => {
      await search('Müller Anna');
      await search(MULLER_MRN);
      const text = logs.text();
      expect(text).not.toMatch(/m(ü|u|%C3%BC)ller/i);
      // Digit boundaries, because a float such as a responseTime can contain the same digits.
      expect(text).not.toMatch(new RegExp(`(?<!\\d)${MULLER_MRN}(?!\\d)`));
      expect(logs.withMessage('patient search').length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('emergency access', () => {
    it("returns another ward's patient", async () => {
      const audit = auditEventDocument('emergency-audit-about-muller', [MULLER_ID]);
      expect((await client('nurse').push('entries', [{ newDocumentState: audit }])).status).toBe(200);

      const result = await emergencyAccess(MULLER_ID, { reason: REASON, workstationId: 'ws-4a-nurse' });
      expect(result.status).toBe(200);
      const chart = emergencyAccessResponse.parse(result.body);
      expect(chart.records.map((document) => document.id).sort()).toEqual([`AllergyIntolerance/${MULLER_ID}-penicillin`, `Encounter/admission-${MULLER_ID}`, `Patient/${MULLER_ID}`]);
      expect(chart.entries.map((document) => document.id)).toEqual([`Observation/${MULLER_ID}-vitals`]);
      expect(chart.reference.map((document) => document.id).sort()).toEqual([`Location/${mullerBed}`, `Location/${WARD_7B}`]);
      for (const document of [...chart.records, ...chart.entries]) expect(document.patientId).toBe(MULLER_ID);
    });

    it('returns the seeded charts of another ward', async () => {
      const patientId = seededPatient7b.resource.id as string;
      const result = await emergencyAccess(patientId, { reason: REASON, workstationId: 'ws-4a-doctor' }, 'doctor');
      expect(result.status).toBe(200);
      const chart = emergencyAccessResponse.parse(result.body);
      expect(chart.records.filter((document) => document.resourceType === 'Patient')).toEqual([seededPatient7b]);
      expect(chart.entries.length).toBeGreaterThanOrEqual(8);
      expect(chart.reference.map((document) => document.wardId)).toEqual([WARD_7B, WARD_7B]);
    });

    it('records a report that IT administrators can list', async () => {
      const since = new Date(TEST_NOW.getTime() - 60_000).toISOString();
      const before = emergencyAccessReports.parse((await reports(since)).body).reports;
      expect(before).toHaveLength(await reportCount());
      expect((await emergencyAccess(MULLER_ID, { reason: `  ${REASON}  `, workstationId: 'ws-4a-nurse' })).status).toBe(200);

      const result = await reports(since);
      expect(result.status).toBe(200);
      const listed = emergencyAccessReports.parse(result.body).reports;
      expect(new Set(listed.map((report) => report.id)).size).toBe(listed.length);
      // Every report of this server has the same fixed clock time, so the new one is found by id.
      const added = listed.filter((report) => !before.some((earlier) => earlier.id === report.id));
      expect(added).toEqual([{ id: expect.any(String), at: TEST_NOW.toISOString(), userId: 'user-nurse', workstationId: 'ws-4a-nurse', patientId: MULLER_ID, reason: REASON }]);
    });

    it('lists only reports at or after since', async () => {
      const atNow = emergencyAccessReports.parse((await reports(TEST_NOW.toISOString())).body).reports;
      expect(atNow.length).toBeGreaterThan(0);
      const later = emergencyAccessReports.parse((await reports(new Date(TEST_NOW.getTime() + 1).toISOString())).body).reports;
      expect(later).toEqual([]);
    });

    it('rejects the report list for other roles with 403', async () => {
      for (const username of ['nurse', 'doctor', 'pharmacist', 'lab-technician', 'radiologist'] as const) {
        const result = await reports(TEST_NOW.toISOString(), username);
        expect(result.status, username).toBe(403);
        expect(errorOf(result).message, username).toContain('it-administrator');
      }
    });

    it.each(['yesterday', '2026-03-02T08:00:00', ''])('rejects since "%s" with 400', async (since) => {
      const result = await reports(since);
      expect(result.status).toBe(400);
    });

    it('rejects a missing since with 400', async () => {
      const result = await request(server.url, 'GET', '/audit/emergency-access', { token: client('it-administrator').token });
      expect(result.status).toBe(400);
      expect(errorOf(result).message).toContain('since');
    });

    it('rejects an unknown patient with 404', async () => {
      const before = await reportCount();
      const result = await emergencyAccess('no-such-patient', { reason: REASON, workstationId: 'ws-4a-nurse' });
      expect(result.status).toBe(404);
      expect(errorOf(result).message).toContain('no-such-patient');
      expect(await reportCount()).toBe(before);
    });

    it.each(['short', '   too short   ', ''])('rejects the reason "%s" with 400', async (reason) => {
      const before = await reportCount();
      const result = await emergencyAccess(MULLER_ID, { reason, workstationId: 'ws-4a-nurse' });
      expect(result.status).toBe(400);
      expect(errorOf(result).message).toContain('reason');
      expect(await reportCount()).toBe(before);
    });

    it("rejects another workstation's id with 400", async () => {
      const result = await emergencyAccess(MULLER_ID, { reason: REASON, workstationId: 'ws-somewhere-else' });
      expect(result.status).toBe(400);
      expect(errorOf(result).message).toContain('ws-somewhere-else');
    });

    it('allows nurses and doctors only', async () => {
      for (const username of ['pharmacist', 'lab-technician', 'radiologist', 'it-administrator'] as const) {
        const result = await emergencyAccess(MULLER_ID, { reason: REASON, workstationId: `ws-4a-${username}` }, username);
        expect(result.status, username).toBe(403);
        expect(errorOf(result).message, username).toContain('nurse or doctor');
      }
    });

    it('logs ids but never the reason', async () => {
      const result = await emergencyAccess(MULLER_ID, { reason: REASON, workstationId: 'ws-4a-nurse' });
      expect(result.status).toBe(200);
      const line = logs.withMessage('emergency access granted').at(-1);
      expect(line).toMatchObject({ level: 40, userId: 'user-nurse', workstationId: 'ws-4a-nurse', wardId: WARD_4A, patientId: MULLER_ID });
      expect(typeof line?.reportId).toBe('string');
      expect(logs.text()).not.toContain('Cardiac arrest');
    });
  });
});
