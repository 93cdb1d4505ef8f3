// Patient search over 100,000 patients: the replica's in-memory index against a linear scan of
// the same patients, in one process, on the same queries. Run: npx tsx bench/patient-search.ts
import { performance } from 'node:perf_hooks';

import { normalizeForSearch } from '../sync/protocol/documents.js';
import type { IndexedPatient } from '../sync/replica/patient-index.js';
import { PatientSearchIndex } from '../sync/replica/patient-index.js';

const PATIENTS = Number(process.env.PATIENTS ?? 100_000);
const QUERIES = Number(process.env.QUERIES ?? 5_000);
const WARDS = 20;

const FAMILY_NAMES = [
  'Müller', 'Schmidt', 'García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Nguyen', 'Tran', 'Le', 'Pham', 'Smith', 'Johnson',
  'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Jackson', 'Thompson', 'White',
  "O'Neill", 'Ó Briain', 'Kowalski', 'Nowak', 'Wiśniewski', 'Dąbrowski', 'Novák', 'Dvořák', 'Svoboda', 'Horváth', 'Kovács', 'Szabó', 'Papadopoulos',
  'Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Öztürk', 'Hansen', 'Johansen', 'Larsen', 'Andersen', 'Pedersen', 'Nielsen', 'Jensen', 'Virtanen', 'Korhonen',
  'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca',
  'Mensah', 'Okafor', 'Adeyemi', 'Okonkwo', 'Abubakar', 'Kamau', 'Otieno', 'Mwangi', 'Haddad', 'Khalil', 'Nasser', 'Singh', 'Kumar', 'Sharma',
  'Patel', 'Gupta', 'Chen', 'Wang', 'Li', 'Zhang', 'Liu', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Sato', 'Suzuki', 'Takahashi', 'Tanaka',
];
const GIVEN_NAMES = [
  'Anna', 'Maria', 'Sofía', 'Lucía', 'Élodie', 'Zoë', 'Chloé', 'Léa', 'Emma', 'Olivia', 'Ava', 'Isabella', 'Mia', 'Amelia', 'Harper', 'Evelyn',
  'Jan', 'Jonas', 'Lukas', 'Léon', 'José', 'Javier', 'Andrés', 'Ángel', 'Noah', 'Liam', 'William', 'James', 'Oliver', 'Benjamin', 'Elijah',
  'Minh', 'Anh', 'Thảo', 'Huy', 'Søren', 'Åsa', 'Björn', 'Jürgen', 'Günther', 'Zoltán', 'István', 'Ágnes', 'Małgorzata', 'Łukasz', 'Chidi',
  'Ngozi', 'Amara', 'Kwame', 'Aisha', 'Fatima', 'Omar', 'Yusuf', 'Priya', 'Arjun', 'Wei', 'Jing', 'Hiro', 'Yuki', 'Seán', 'Siobhán', 'Aoife',
];

/** A small deterministic generator, so two runs measure the same patients and queries. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const random = seededRandom(4242);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function makePatients(): IndexedPatient[] {
  return Array.from({ length: PATIENTS }, (_, n) => {
    const family = pick(FAMILY_NAMES);
    const given = [pick(GIVEN_NAMES), ...(random() < 0.3 ? [pick(GIVEN_NAMES)] : [])];
    const birth = new Date(Date.UTC(1930, 0, 1) + Math.floor(random() * 90 * 365) * 86_400_000).toISOString().slice(0, 10);
    return {
      patientId: `patient-${n}`,
      mrn: String(10_000_000 + n),
      birthDate: birth,
      nameNorm: normalizeForSearch([family, ...given].join(' ')),
      displayName: `${family.toUpperCase()}, ${given.join(' ')}`,
      gender: random() < 0.5 ? 'female' : 'male',
    };
  });
}

type QueryKind = 'family prefix' | 'given and family' | 'family without accents' | 'MRN' | 'birth date and family';

function makeQueries(patients: IndexedPatient[]): { kind: QueryKind; text: string }[] {
  return Array.from({ length: QUERIES }, () => {
    const patient = pick(patients);
    const [family = '', ...given] = (patient.displayName as string).split(', ')[0]?.toLowerCase().split(' ') ?? [];
    const givenName = (patient.displayName as string).split(', ')[1]?.split(' ')[0] ?? '';
    const kinds: QueryKind[] = ['family prefix', 'given and family', 'family without accents', 'MRN', 'birth date and family'];
    const kind = pick(kinds);
    switch (kind) {
      case 'family prefix':
        return { kind, text: family.slice(0, 3) };
      case 'given and family':
        return { kind, text: `${givenName} ${family}${given.length ? ` ${given.join(' ')}` : ''}` };
      case 'family without accents':
        return { kind, text: normalizeForSearch(family) };
      case 'MRN':
        return { kind, text: patient.mrn };
      case 'birth date and family':
        return { kind, text: `${family} ${patient.birthDate}` };
    }
  });
}

/** The alternative: every query scans all patients, as a plain filter over an array would. */
function linearSearch(patients: IndexedPatient[], query: string): IndexedPatient[] {
  const trimmed = query.trim();
  const words = normalizeForSearch(trimmed).split(' ').filter(Boolean);
  const matches = patients.filter(
    (patient) => patient.mrn === trimmed || words.every((word) => word === patient.birthDate || patient.nameNorm.split(' ').some((part) => part.startsWith(word))),
  );
  return matches.sort((a, b) => (a.nameNorm < b.nameNorm ? -1 : a.nameNorm > b.nameNorm ? 1 : 0)).slice(0, 50);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function measure(name: string, queries: { kind: QueryKind; text: string }[], run: (text: string) => unknown): Record<string, string | number> {
  for (const query of queries.slice(0, 200)) run(query.text); // warm-up
  const times: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    run(query.text);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { method: name, queries: times.length, 'p50 ms': +percentile(times, 50).toFixed(3), 'p95 ms': +percentile(times, 95).toFixed(3), 'p99 ms': +percentile(times, 99).toFixed(3), 'max ms': +(times.at(-1) as number).toFixed(3) };
}

const patients = makePatients();
const queries = makeQueries(patients);

const heapBefore = process.memoryUsage().heapUsed;
const buildStarted = performance.now();
const index = new PatientSearchIndex();
for (const patient of patients) {
  index.upsert(patient);
  index.setPlacement(patient.patientId, { wardId: `ward-${Number(patient.mrn) % WARDS}`, locationId: `bed-${patient.mrn}` });
}
index.search('warm');
const buildMs = performance.now() - buildStarted;
const heapIndexMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

const results = [
  measure('index (PatientSearchIndex)', queries, (text) => index.search(text, { wardId: 'ward-3' })),
  measure('linear scan', queries.slice(0, Math.min(QUERIES, 500)), (text) => linearSearch(patients, text)),
];
const byKind = (['family prefix', 'given and family', 'family without accents', 'MRN', 'birth date and family'] as QueryKind[]).map((kind) =>
  measure(`index: ${kind}`, queries.filter((query) => query.kind === kind), (text) => index.search(text, { wardId: 'ward-3' })),
);

console.log(`Patient search over ${PATIENTS.toLocaleString('en')} patients, node ${process.version}`);
console.log(`Index build: ${buildMs.toFixed(0)} ms, heap ${heapIndexMb.toFixed(0)} MB`);
console.table(results);
console.table(byKind);
