// Memory of the core process with a full replica: 100,000 patients and 500,000 vital signs
// observations by default, written in bulk batches into an encrypted replica. A fresh process then
// starts the core as the hosts do (createCore) and runs the ward's typical reads.
// Run: npx tsx bench/replica-scale.ts [--patients 100000] [--observations 5] [--batch 1000] [--json out.json]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { uncacheRxQuery } from 'rxdb';

import { createCore } from '../main/core/core.js';
import { createRootLogger } from '../main/core/logging/logger.js';
import { ReplicaReader } from '../main/core/services/replica-reader.js';
import type { Consciousness, News2Observations } from '../preload/api/clinical/news2.js';
import type { FhirResource } from '../sync/protocol/documents.js';
import { toEntryDocument, toRecordDocument } from '../sync/protocol/documents.js';
import { MRN_SYSTEM } from '../sync/protocol/fhir/identifiers.js';
import { buildVitalSignsPanel } from '../sync/protocol/fhir/vital-signs.js';
import { openReplica } from '../sync/replica/replica.js';
import { acquireConnection, releaseConnection } from '../sync/replica/sqlite/connection-pool.js';
import { makeBenchDirectory } from './bench-support.js';

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '100000' },
    observations: { type: 'string', default: '5' },
    batch: { type: 'string', default: '1000' },
    json: { type: 'string' },
    // Internal: which phase a child process runs, and on which replica.
    phase: { type: 'string' },
    directory: { type: 'string' },
    key: { type: 'string' },
  },
});

const PATIENTS = Number(values.patients);
const OBSERVATIONS_PER_PATIENT = Number(values.observations);
const BATCH = Number(values.batch);
for (const [name, value] of [['patients', PATIENTS], ['observations', OBSERVATIONS_PER_PATIENT], ['batch', BATCH]] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`Invalid --${name} ${String(values[name])}: expected a positive integer`);
    process.exit(2);
  }
}
const REPLICA_NAME = 'scale-replica';
const MEGABYTE = 1024 * 1024;

interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

/**
 * Memory after full garbage collections. The pauses let FinalizationRegistry callbacks run, in
 * which RxDB drops the cache entries of collected documents; needs node --expose-gc.
 */
async function settledMemory(): Promise<MemorySample> {
  const collect = global.gc;
  if (!collect) throw new Error('Run this phase with node --expose-gc');
  for (let round = 0; round < 3; round += 1) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  collect();
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / MEGABYTE, heapUsedMb: usage.heapUsed / MEGABYTE, heapTotalMb: usage.heapTotal / MEGABYTE, externalMb: usage.external / MEGABYTE };
}

function peakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}

/** A small deterministic generator, so two runs write the same replica. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const FAMILY_NAMES = ['Müller', 'García', 'Nguyen', 'Smith', 'Kowalski', 'Öztürk', 'Rossi', 'Okafor', 'Haddad', 'Patel', 'Chen', 'Sato', "O'Neill", 'Dvořák', 'Jensen', 'Virtanen'];
const GIVEN_NAMES = ['Anna', 'Zoë', 'José', 'Léa', 'Jonas', 'Minh', 'Søren', 'Aisha', 'Priya', 'Wei', 'Siobhán', 'Łukasz', 'Chidi', 'Yuki', 'Omar', 'Ágnes'];
const CONSCIOUSNESS: Consciousness[] = ['A', 'A', 'A', 'A', 'C', 'V'];

function patientResource(index: number, random: () => number): FhirResource {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const family = pick(FAMILY_NAMES);
  const given = [pick(GIVEN_NAMES), ...(random() < 0.3 ? [pick(GIVEN_NAMES)] : [])];
  const birthDate = new Date(Date.UTC(1930, 0, 1) + Math.floor(random() * 90 * 365) * 86_400_000).toISOString().slice(0, 10);
  return {
    resourceType: 'Patient',
    id: `patient-${index}`,
    meta: { versionId: '1', lastUpdated: '2026-12-01T08:00:00.000Z' },
    identifier: [{ system: MRN_SYSTEM, value: String(10_000_000 + index) }],
    active: true,
    name: [{ use: 'official', family, given }],
    telecom: [{ system: 'phone', value: `+44 20 7946 ${String(index % 10_000).padStart(4, '0')}`, use: 'home' }],
    gender: random() < 0.5 ? 'female' : 'male',
    birthDate,
    address: [{ use: 'home', line: [`${1 + (index % 200)} High Street`], city: 'London', postalCode: `N${1 + (index % 20)} ${index % 10}AB`, country: 'GB' }],
  };
}

function observationResource(patientIndex: number, number: number, random: () => number): FhirResource {
  const observations: News2Observations = {
    respiratoryRate: 12 + Math.floor(random() * 14),
    spo2: 88 + Math.floor(random() * 12),
    systolicBloodPressure: 90 + Math.floor(random() * 90),
    pulse: 50 + Math.floor(random() * 80),
    temperature: Math.round((35.5 + random() * 4) * 10) / 10,
    onOxygen: random() < 0.2,
    consciousness: CONSCIOUSNESS[Math.floor(random() * CONSCIOUSNESS.length)] as Consciousness,
  };
  const effective = new Date(Date.UTC(2026, 11, 1) - Math.floor(random() * 72 * 3_600_000)).toISOString();
  return buildVitalSignsPanel({
    id: `vitals-${patientIndex}-${number}`,
    patientId: `patient-${patientIndex}`,
    encounterId: `encounter-${patientIndex}`,
    effectiveDateTime: effective,
    performer: { reference: 'Practitioner/nurse-1', display: 'Nurse One' },
    observations,
    scale: random() < 0.1 ? 2 : 1,
  });
}

async function writePhase(directory: string, key: string): Promise<Record<string, unknown>> {
  const replica = await openReplica({ directory, name: REPLICA_NAME, key });
  const random = seededRandom(20_261_201);
  const context = { wardOfLocation: () => undefined };
  let patientsMs = 0;
  let observationsMs = 0;
  let peakDuringWrite = 0;

  for (let first = 0; first < PATIENTS; first += BATCH) {
    const last = Math.min(first + BATCH, PATIENTS);
    const patients = [];
    for (let index = first; index < last; index += 1) patients.push(toRecordDocument(patientResource(index, random), context));
    let started = performance.now();
    await replica.records.bulkInsert(patients);
    patientsMs += performance.now() - started;

    const entries = [];
    for (let index = first; index < last; index += 1) {
      for (let number = 0; number < OBSERVATIONS_PER_PATIENT; number += 1) entries.push(toEntryDocument(observationResource(index, number, random)));
    }
    for (let offset = 0; offset < entries.length; offset += BATCH) {
      started = performance.now();
      await replica.entries.bulkInsert(entries.slice(offset, offset + BATCH));
      observationsMs += performance.now() - started;
    }
    peakDuringWrite = Math.max(peakDuringWrite, process.memoryUsage().rss / MEGABYTE);
  }
  const afterWrite = await settledMemory();
  await replica.close();

  const database = acquireConnection(join(directory, `${REPLICA_NAME}.sqlite`), key);
  const pagesByName = database.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
  releaseConnection(join(directory, `${REPLICA_NAME}.sqlite`));
  const sizeByTableMb = Object.fromEntries(pagesByName.filter((row) => row.bytes > MEGABYTE).map((row) => [row.name, Math.round(row.bytes / MEGABYTE)]));

  const observations = PATIENTS * OBSERVATIONS_PER_PATIENT;
  const fileMb = readdirSync(directory)
    .filter((name) => name.startsWith(REPLICA_NAME))
    .reduce((total, name) => total + statSync(join(directory, name)).size, 0) / MEGABYTE;
  return {
    patients: PATIENTS,
    observations,
    patientsPerSecond: Math.round(PATIENTS / (patientsMs / 1000)),
    observationsPerSecond: Math.round(observations / (observationsMs / 1000)),
    writeSeconds: (patientsMs + observationsMs) / 1000,
    peakRssDuringWriteMb: Math.max(peakDuringWrite, peakRssMb()),
    afterWrite,
    replicaFilesMb: fileMb,
    sizeByTableMb,
  };
}

async function corePhase(directory: string, key: string): Promise<Record<string, unknown>> {
  const beforeStart = await settledMemory();
  let started = performance.now();
  const core = await createCore({
    // No server runs at this address and no sign-in happens, so replication never starts.
    settings: { workstationId: 'ws-bench', serverUrl: 'http://127.0.0.1:9', wardId: 'ward-bench' },
    dataDirectory: directory,
    replicaName: REPLICA_NAME,
    replicaKey: key,
    logger: createRootLogger({ level: 'warn' }),
  });
  const startSeconds = (performance.now() - started) / 1000;
  const afterStart = await settledMemory();

  // What a ward round reads: each chart's patient and newest vital signs, for 500 patients.
  const reader = new ReplicaReader(core.replica);
  const random = seededRandom(7);
  started = performance.now();
  for (let read = 0; read < 500; read += 1) {
    const patientId = `patient-${Math.floor(random() * PATIENTS)}`;
    const patient = await reader.patient(patientId);
    const vitals = await reader.vitalSigns(patientId, 20);
    if (!patient || vitals.length !== OBSERVATIONS_PER_PATIENT) throw new Error(`Replica is missing data of ${patientId}: ${vitals.length} vital signs`);
  }
  const chartReadsMs = (performance.now() - started) / 500;
  const afterReads = await settledMemory();
  const peak = peakRssMb();

  // Diagnostic: RxDB keeps up to 100 queries per collection with their results (QueryCache),
  // among them the query that loaded every Patient for the search index at start.
  for (const collection of Object.values(core.replica.collections)) {
    for (const query of [...collection._queryCache._map.values()]) uncacheRxQuery(collection._queryCache, query);
  }
  const withoutQueryCache = await settledMemory();
  await core.close();
  return { startSeconds, chartReadsMs, beforeStart, afterStart, afterReads, withoutQueryCache, peakRssMb: peak };
}

function runChild(phase: string, directory: string, key: string): Record<string, unknown> {
  const script = fileURLToPath(import.meta.url);
  const args = ['--expose-gc', '--import', 'tsx', script, '--phase', phase, '--directory', directory, '--key', key];
  args.push('--patients', String(PATIENTS), '--observations', String(OBSERVATIONS_PER_PATIENT), '--batch', String(BATCH));
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * MEGABYTE });
  if (child.status !== 0) throw new Error(`The ${phase} phase failed with exit code ${child.status}; its output: ${child.stdout}`);
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Record<string, unknown>;
}

if (values.phase) {
  const directory = values.directory;
  const key = values.key;
  if (!directory || !key) throw new Error('Missing --directory or --key for a phase; run the script without --phase');
  const result = values.phase === 'write' ? await writePhase(directory, key) : await corePhase(directory, key);
  console.log(JSON.stringify(result));
} else {
  const directory = makeBenchDirectory('replica-scale');
  try {
    const key = randomBytes(32).toString('hex');
    console.log(`Writing ${PATIENTS} patients and ${PATIENTS * OBSERVATIONS_PER_PATIENT} observations in batches of ${BATCH} to ${directory.path}`);
    const write = runChild('write', directory.path, key);
    console.log(JSON.stringify(write, null, 2));
    console.log('Starting the core on that replica in a fresh process');
    const core = runChild('core', directory.path, key);
    console.log(JSON.stringify(core, null, 2));
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ write, core }, null, 2)}\n`);
  } finally {
    directory.remove();
  }
}
