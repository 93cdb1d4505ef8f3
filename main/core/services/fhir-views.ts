import type { AllergyStatus, AllergySummary, News2Summary, VitalSignsSet } from '../../../preload/api/schemas.js';
import { scoreNews2 } from '../../../preload/api/clinical/news2.js';
import type { EntryDocument, FhirResource } from '../../../sync/protocol/documents.js';
import { mrnOf, officialName, referencedId } from '../../../sync/protocol/documents.js';
import { isGenerated, SNOMED } from '../../../sync/protocol/fhir/identifiers.js';
import { parseVitalSignsPanel } from '../../../sync/protocol/fhir/vital-signs.js';

/**
 * Turns FHIR resources from the replica into the shapes the contract declares for screens.
 * Pure functions: everything they need is passed in.
 */

/** SNOMED CT 716186003 "No known allergy": an explicit statement, not an absence of data. */
const NO_KNOWN_ALLERGY_CODES = new Set(['716186003', '409137002']);

type Codeable = { coding?: { system?: string; code?: string; display?: string }[]; text?: string } | undefined;

function codeText(codeable: Codeable): string {
  return codeable?.text ?? codeable?.coding?.find((coding) => coding.display)?.display ?? codeable?.coding?.[0]?.code ?? 'Not known';
}

function firstCode(codeable: Codeable, system?: string): string | undefined {
  return codeable?.coding?.find((coding) => !system || coding.system === system)?.code;
}

export function displayName(patient: FhirResource): string {
  const name = officialName(patient) as { family?: string; given?: string[]; prefix?: string[] } | undefined;
  if (!name) return 'Name not known';
  // Synthea appends digits to generated names ("Ana972"); they are part of the name as stored.
  const given = (name.given ?? []).join(' ');
  const family = (name.family ?? '').toUpperCase();
  return [family, given].filter(Boolean).join(', ') || 'Name not known';
}

export function gender(patient: FhirResource): 'male' | 'female' | 'other' | 'unknown' {
  const value = patient.gender;
  return value === 'male' || value === 'female' || value === 'other' ? value : 'unknown';
}

export function mrn(patient: FhirResource): string | null {
  return mrnOf(patient) || null;
}

function isCurrentAllergy(resource: FhirResource): boolean {
  const verification = firstCode(resource.verificationStatus as Codeable);
  const clinical = firstCode(resource.clinicalStatus as Codeable);
  return verification !== 'refuted' && verification !== 'entered-in-error' && clinical !== 'inactive' && clinical !== 'resolved';
}

/** Allergy status and list: "no known allergies" only from a recorded statement, never from silence. */
export function allergyView(resources: FhirResource[]): { status: AllergyStatus; items: AllergySummary[] } {
  const current = resources.filter(isCurrentAllergy);
  const statements = current.filter((resource) => NO_KNOWN_ALLERGY_CODES.has(firstCode(resource.code as Codeable, SNOMED) ?? ''));
  const allergies = current.filter((resource) => !statements.includes(resource));

  const items = allergies.map((resource): AllergySummary => {
    const criticality = resource.criticality;
    const reactions = ((resource.reaction as { manifestation?: Codeable[] }[] | undefined) ?? []).flatMap((reaction) =>
      (reaction.manifestation ?? []).map((manifestation) => codeText(manifestation)),
    );
    return {
      substance: codeText(resource.code as Codeable),
      criticality: criticality === 'low' || criticality === 'high' || criticality === 'unable-to-assess' ? criticality : null,
      reactions,
      generated: isGenerated(resource as never),
    };
  });

  if (items.length > 0) return { status: 'allergies', items };
  return { status: statements.length > 0 ? 'none-known' : 'unknown', items: [] };
}

/** Bed name from an encounter's current location. */
export function bedOf(encounter: FhirResource | undefined, locations: Map<string, FhirResource>): string | null {
  const entries = (encounter?.location as { location?: unknown; status?: string }[] | undefined) ?? [];
  const current = entries.find((entry) => entry.status === 'active') ?? entries[0];
  const locationId = referencedId(current?.location, 'Location');
  const location = locationId ? locations.get(locationId) : undefined;
  return typeof location?.name === 'string' ? location.name : null;
}

/** A charted set as the replica holds it; the services add where it stands with the server. */
export type ChartedVitals = Omit<VitalSignsSet, 'syncState'>;

export function vitalSignsSetOf(document: EntryDocument): ChartedVitals {
  const parsed = parseVitalSignsPanel(document.resource);
  return {
    id: document.resource.id as string,
    patientId: document.patientId,
    effectiveDateTime: document.effective,
    recordedBy: parsed.recordedBy,
    observations: parsed.observations,
    news2: scoreNews2(parsed.observations, parsed.scale),
    generated: isGenerated(document.resource as never),
  };
}

export function news2SummaryOf(document: EntryDocument | undefined): News2Summary | null {
  if (!document) return null;
  const set = vitalSignsSetOf(document);
  if (set.news2.total === null || set.news2.responseLevel === null) return null;
  return {
    total: set.news2.total,
    responseLevel: set.news2.responseLevel,
    singleParameterThree: set.news2.singleParameterThree,
    effectiveDateTime: set.effectiveDateTime,
  };
}
