import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FhirResource } from '../../protocol/documents.js';

/**
 * Reads Synthea FHIR R4 transaction bundles: one Patient per bundle with its AllergyIntolerance
 * resources. The bundles ship in test/fixtures/fhir/synthea (see SOURCES.md there).
 */

export interface SyntheaPatient {
  patient: FhirResource;
  allergies: FhirResource[];
}

interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
}

const FIXTURE_FOLDER = path.join('test', 'fixtures', 'fhir', 'synthea');

/**
 * Finds test/fixtures/fhir/synthea in the nearest folder above this module that has it, so that
 * the seed finds its bundles both from the sources (tsx) and from the compiled output in dist/.
 */
export function defaultBundlesDir(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(folder, FIXTURE_FOLDER);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`No ${FIXTURE_FOLDER} folder above ${fileURLToPath(import.meta.url)}; pass bundlesDir to the seed`);
    folder = parent;
  }
}

/** Replaces `urn:uuid:` references to entries of the bundle with relative ones (`Patient/<id>`). */
function resolveReferences(value: unknown, referenceByFullUrl: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, referenceByFullUrl));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = key === 'reference' && typeof item === 'string' ? (referenceByFullUrl.get(item) ?? item) : resolveReferences(item, referenceByFullUrl);
  }
  return copy;
}

function patientOfBundle(entries: readonly BundleEntry[], fileName: string): SyntheaPatient | undefined {
  const referenceByFullUrl = new Map<string, string>();
  for (const entry of entries) {
    if (entry.fullUrl && entry.resource?.id) referenceByFullUrl.set(entry.fullUrl, `${entry.resource.resourceType}/${entry.resource.id}`);
  }
  const resources = entries.flatMap((entry) => (entry.resource ? [resolveReferences(entry.resource, referenceByFullUrl) as FhirResource] : []));
  const patients = resources.filter((resource) => resource.resourceType === 'Patient');
  if (patients.length === 0) return undefined;
  if (patients.length > 1) throw new Error(`Bundle ${fileName} contains ${patients.length} Patients; the seed expects one per bundle`);
  return { patient: patients[0] as FhirResource, allergies: resources.filter((resource) => resource.resourceType === 'AllergyIntolerance') };
}

/** Reads every `*.json` bundle of the folder; bundles without a Patient (providers) are skipped. */
export async function readSyntheaPatients(bundlesDir: string): Promise<SyntheaPatient[]> {
  const fileNames = (await readdir(bundlesDir)).filter((name) => name.endsWith('.json')).sort();
  const patients: SyntheaPatient[] = [];
  for (const fileName of fileNames) {
    const bundle = JSON.parse(await readFile(path.join(bundlesDir, fileName), 'utf8')) as { resourceType?: string; entry?: BundleEntry[] };
    if (bundle.resourceType !== 'Bundle') throw new Error(`${fileName} is not a FHIR Bundle (resourceType ${String(bundle.resourceType)})`);
    const found = patientOfBundle(bundle.entry ?? [], fileName);
    if (found) patients.push(found);
  }
  return patients;
}

/** Age in whole years on the given date, from a FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD). */
export function ageOn(birthDate: string, on: Date): number {
  const [year = 0, month = 1, day = 1] = birthDate.split('-').map(Number);
  let age = on.getUTCFullYear() - year;
  const birthdayPassed = on.getUTCMonth() + 1 > month || (on.getUTCMonth() + 1 === month && on.getUTCDate() >= day);
  if (!birthdayPassed) age--;
  return age;
}

/** True for a patient who is alive and at least `minimumAge` years old on `on`. */
export function isLivingAdult(patient: FhirResource, on: Date, minimumAge = 18): boolean {
  if (patient.deceasedBoolean === true || typeof patient.deceasedDateTime === 'string') return false;
  if (typeof patient.birthDate !== 'string') return false;
  return ageOn(patient.birthDate, on) >= minimumAge;
}
