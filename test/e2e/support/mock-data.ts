import type { AllergySummary, News2Observations, PatientChart, SessionInfo, SpO2Scale, VitalSignsSet } from '../../../preload/api/index.js';
import { scoreNews2 } from '../../../preload/api/index.js';

/**
 * Synthetic ward data for the renderer preview, with made-up people, numbers and names. The data is
 * chosen so that every state of the UI appears at least once. It has each allergy status, each
 * NEWS2 response level, a patient on SpO2 scale 2, a patient with unknown identifiers and a bed
 * without observations. Two rows have a newer incomplete set, one with a score of 3 in one parameter.
 */

const MINUTE = 60_000;

export interface MockPatient {
  chart: PatientChart;
  vitals: VitalSignsSet[];
  /** False for a patient of another ward: found by search, opened only by breaking the glass. */
  inScope: boolean;
}

export type MockRole = 'nurse' | 'doctor' | 'pharmacist' | 'lab-technician' | 'radiologist' | 'it-administrator';

export interface MockUser {
  id: string;
  username: string;
  displayName: string;
  role: MockRole;
}

/**
 * Staff who can sign in to the mock: one per role, and a second nurse for switching users. As in
 * the contract's access rules, the lab technician reads no ward charts, the radiologist finds
 * patients and opens their images but reads no ward charts, and the IT administrator reads
 * neither ward charts nor lab results.
 */
export const mockUsers: readonly MockUser[] = [
  { id: 'user-nurse-1', username: 'amorgan', displayName: 'Alex Morgan', role: 'nurse' },
  { id: 'user-nurse-2', username: 'bkhan', displayName: 'Bilal Khan', role: 'nurse' },
  { id: 'user-doctor-1', username: 'pshah', displayName: 'Dr Priya Shah', role: 'doctor' },
  { id: 'user-pharmacist-1', username: 'lchen', displayName: 'Lin Chen', role: 'pharmacist' },
  { id: 'user-lab-1', username: 'rjones', displayName: 'Rhys Jones', role: 'lab-technician' },
  { id: 'user-radiology-1', username: 'mokoye', displayName: 'Dr Mara Okoye', role: 'radiologist' },
  { id: 'user-it-1', username: 'tvance', displayName: 'Toni Vance', role: 'it-administrator' },
];

/** Returns the first mock user with `role`. */
export function mockUserWithRole(role: MockRole): MockUser {
  const user = mockUsers.find((candidate) => candidate.role === role);
  if (user === undefined) throw new Error(`no mock user has the role ${role}`);
  return user;
}

export interface MockSessionOptions {
  mode?: SessionInfo['mode'];
  lockAfterMinutes?: number;
}

export function mockSession(now: Date, user: MockUser, options: MockSessionOptions = {}): SessionInfo {
  return {
    user: { id: user.id, username: user.username, displayName: user.displayName, roles: [user.role] },
    // The lab bench's staff sign in at a workstation of the laboratory, the others on the ward.
    ward: user.role === 'lab-technician' || user.role === 'it-administrator' ? { id: 'lab-core', name: MOCK_LAB_NAME } : { id: 'ward-7b', name: MOCK_WARD_NAME },
    workstationId: 'ws-7b-01',
    signedInAt: new Date(now.getTime() - 2 * MINUTE).toISOString(),
    mode: options.mode ?? 'online',
    lockAfterMinutes: options.lockAfterMinutes ?? 15,
  };
}

export const MOCK_WARD_NAME = 'Ward 7B Respiratory';
export const MOCK_LAB_NAME = 'Core Laboratory';
const OTHER_WARD_NAME = 'Ward 3A Cardiology';

function allergy(substance: string, criticality: AllergySummary['criticality'], reactions: string[]): AllergySummary {
  return { substance, criticality, reactions, generated: true };
}

function vitalsSet(
  patientId: string,
  index: number,
  takenAt: Date,
  observations: News2Observations,
  scale: SpO2Scale,
  recordedBy: string,
): VitalSignsSet {
  return {
    id: `obs-${patientId}-${index}`,
    patientId,
    effectiveDateTime: takenAt.toISOString(),
    recordedBy,
    observations,
    news2: scoreNews2(observations, scale),
    generated: true,
    syncState: 'synced',
  };
}

interface PatientSeed {
  chart: Omit<PatientChart, 'wardName' | 'access' | 'emergencyAccess'>;
  /** Set for a patient of another ward. */
  otherWard?: boolean;
  /** Observation sets, newest first, each with how many minutes ago it was taken. */
  sets: { minutesAgo: number; observations: News2Observations; recordedBy?: string }[];
}

function seeds(now: Date): PatientSeed[] {
  const scale1 = { scale: 1 as const, decidedBy: null, decidedAt: null };
  return [
    {
      chart: {
        patientId: 'pat-0001',
        name: 'BAKER, Margaret',
        mrn: 'H1002345',
        birthDate: '1945-03-04',
        ageYears: 81,
        gender: 'female',
        bed: '1',
        allergyStatus: 'allergies',
        allergies: [allergy('Penicillin', 'high', ['Anaphylaxis']), allergy('Latex', 'low', ['Urticaria'])],
        spo2Scale: scale1,
      },
      sets: [
        { minutesAgo: 35, observations: { respiratoryRate: 23, spo2: 94, onOxygen: false, systolicBloodPressure: 108, pulse: 98, consciousness: 'A', temperature: 38.3 } },
        { minutesAgo: 275, observations: { respiratoryRate: 20, spo2: 95, onOxygen: false, systolicBloodPressure: 118, pulse: 92, consciousness: 'A', temperature: 37.9 } },
        { minutesAgo: 520, observations: { respiratoryRate: 18, spo2: 96, systolicBloodPressure: 124, pulse: 84 } },
      ],
    },
    {
      chart: {
        patientId: 'pat-0002',
        name: 'OKAFOR, Daniel',
        mrn: 'H1002871',
        birthDate: '1972-07-19',
        ageYears: 54,
        gender: 'male',
        bed: '2',
        allergyStatus: 'none-known',
        allergies: [],
        spo2Scale: scale1,
      },
      sets: [
        { minutesAgo: 190, observations: { respiratoryRate: 16, spo2: 97, onOxygen: false, systolicBloodPressure: 132, pulse: 94, consciousness: 'A', temperature: 36.8 } },
      ],
    },
    {
      chart: {
        patientId: 'pat-0003',
        name: 'HUGHES, Eileen',
        mrn: 'H1003310',
        birthDate: '1954-11-30',
        ageYears: 72,
        gender: 'female',
        bed: '3',
        allergyStatus: 'unknown',
        allergies: [],
        spo2Scale: { scale: 2, decidedBy: 'Dr Priya Shah', decidedAt: new Date(now.getTime() - 2 * 24 * 60 * MINUTE).toISOString() },
      },
      sets: [
        { minutesAgo: 70, observations: { respiratoryRate: 19, spo2: 89, onOxygen: false, systolicBloodPressure: 88, pulse: 76, consciousness: 'A', temperature: 36.6 } },
        { minutesAgo: 310, observations: { respiratoryRate: 21, spo2: 90, onOxygen: true, systolicBloodPressure: 112, pulse: 80, consciousness: 'A', temperature: 36.9 } },
      ],
    },
    {
      chart: {
        patientId: 'pat-0004',
        name: 'NOWAK, Tomasz',
        mrn: 'H1004022',
        birthDate: '1981-01-08',
        ageYears: 45,
        gender: 'male',
        bed: '4',
        allergyStatus: 'none-known',
        allergies: [],
        spo2Scale: scale1,
      },
      sets: [
        // Newer than the complete set below but incomplete, with RR 26 and SpO2 91 each scoring 3.
        { minutesAgo: 20, observations: { respiratoryRate: 26, spo2: 91, pulse: 112 } },
        { minutesAgo: 480, observations: { respiratoryRate: 14, spo2: 98, onOxygen: false, systolicBloodPressure: 126, pulse: 68, consciousness: 'A', temperature: 36.7 } },
      ],
    },
    {
      chart: {
        patientId: 'pat-0005',
        name: 'PATEL, Ravi',
        mrn: 'H1004577',
        birthDate: '1959-05-22',
        ageYears: 67,
        gender: 'male',
        bed: '5',
        allergyStatus: 'allergies',
        allergies: [allergy('Morphine', 'unable-to-assess', [])],
        spo2Scale: scale1,
      },
      sets: [
        { minutesAgo: 10, observations: { respiratoryRate: 26, spo2: 91, onOxygen: true, systolicBloodPressure: 98, pulse: 118, consciousness: 'C', temperature: 38.9 } },
      ],
    },
    {
      chart: {
        patientId: 'pat-0006',
        name: 'REID, Sophie',
        mrn: 'H1005013',
        birthDate: '1997-09-14',
        ageYears: 29,
        gender: 'female',
        bed: '10',
        allergyStatus: 'unknown',
        allergies: [],
        spo2Scale: scale1,
      },
      // Only an incomplete set, with no parameter scoring 3, so there is no NEWS2 at all.
      sets: [{ minutesAgo: 50, observations: { pulse: 88, temperature: 37.1 } }],
    },
    {
      chart: {
        patientId: 'pat-0007',
        name: 'UNIDENTIFIED, Male',
        mrn: null,
        birthDate: null,
        ageYears: null,
        gender: 'unknown',
        bed: null,
        allergyStatus: 'unknown',
        allergies: [],
        spo2Scale: scale1,
      },
      sets: [],
    },
    {
      otherWard: true,
      chart: {
        patientId: 'pat-3a-0012',
        name: 'BAKER, Thomas',
        mrn: 'H2004410',
        birthDate: '1950-06-12',
        ageYears: 76,
        gender: 'male',
        bed: '12',
        allergyStatus: 'allergies',
        allergies: [allergy('Aspirin', 'high', ['Bronchospasm'])],
        spo2Scale: scale1,
      },
      sets: [
        { minutesAgo: 55, observations: { respiratoryRate: 22, spo2: 93, onOxygen: true, systolicBloodPressure: 96, pulse: 112, consciousness: 'A', temperature: 37.2 } },
      ],
    },
    {
      otherWard: true,
      chart: {
        patientId: 'pat-3a-0004',
        name: 'OKAFOR, Grace',
        mrn: 'H2005521',
        birthDate: '1988-02-27',
        ageYears: 38,
        gender: 'female',
        bed: '4',
        allergyStatus: 'none-known',
        allergies: [],
        spo2Scale: scale1,
      },
      sets: [],
    },
  ];
}

/**
 * Builds the preview's patients with observation histories scored by the real NEWS2 code: the
 * patients of `wardName` and a few of another ward, for search and break the glass.
 */
export function mockPatients(now: Date, wardName: string): MockPatient[] {
  return seeds(now).map(({ chart, sets, otherWard }) => ({
    chart: { ...chart, wardName: otherWard === true ? OTHER_WARD_NAME : wardName, access: 'ward' as const, emergencyAccess: null },
    inScope: otherWard !== true,
    vitals: sets.map((set, index) =>
      vitalsSet(
        chart.patientId,
        index,
        new Date(now.getTime() - set.minutesAgo * MINUTE),
        set.observations,
        chart.spo2Scale.scale,
        set.recordedBy ?? 'Demo data',
      ),
    ),
  }));
}
