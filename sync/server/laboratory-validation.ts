import { z } from 'zod';

import { ACCESSION_MAX_LENGTH } from '../protocol/collections.js';
import type { FhirResource } from '../protocol/documents.js';
import { performingDepartmentOf } from '../protocol/documents.js';
import { LOINC } from '../protocol/fhir/identifiers.js';
import { ANALYZER_CODE_SYSTEM_PREFIX, hasCoding, isLaboratoryObservation, LABORATORY_PROCEDURE, LABORATORY_SERVICE } from '../protocol/fhir/laboratory.js';
import type { WireDocument } from '../protocol/wire.js';
import { badRequest, quoteValue } from './errors.js';
import type { LocationDirectory } from './locations.js';

/**
 * The elements this server requires of lab orders and results, beyond what FHIR R4 makes
 * mandatory: orders and results coded by LOINC (the first coding, which the entries' `code` index
 * stores), the laboratory categories, and references of the right resource types, so that a
 * result can always be followed to its Specimen and order. A DiagnosticReport may be coded by the
 * analyzer's own code for the ordered test, because an ASTM O record names only that.
 */

function referenceTo(resourceType: string) {
  return z.object({ reference: z.string().startsWith(`${resourceType}/`, `must reference a ${resourceType}, as "${resourceType}/<id>"`) });
}

const coding = z.object({ system: z.string().min(1), code: z.string().min(1) });

const coded = z.object({ coding: z.array(z.object({ system: z.string().min(1).optional(), code: z.string().min(1) })).min(1) });

/** A CodeableConcept whose first coding is LOINC; `fix` tells the sender how to get there. */
function loincCoded(fix: string) {
  return z
    .object({ coding: z.array(coding).min(1) })
    .refine((concept) => concept.coding[0]?.system === LOINC, { message: `must be a LOINC code (system ${LOINC}): ${fix}`, path: ['coding', 0, 'system'] });
}

function categoryWith(expected: { system: string; code: string }) {
  return z.array(z.unknown()).refine((categories) => hasCoding(categories, expected), `must include the coding ${expected.system}|${expected.code}`);
}

const instant = z.iso.datetime({ offset: true });

const serviceRequest = z.object({
  status: z.enum(['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown']),
  intent: z.enum(['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']),
  category: categoryWith(LABORATORY_PROCEDURE),
  code: loincCoded('order the test by its LOINC code'),
  subject: referenceTo('Patient'),
  locationReference: z.array(referenceTo('Location')).length(1, 'must name exactly one Location: the laboratory department that performs the order'),
  specimen: z.array(referenceTo('Specimen')).optional(),
});

const specimen = z.object({
  status: z.enum(['available', 'unavailable', 'unsatisfactory', 'entered-in-error']).optional(),
  accessionIdentifier: z.object({ value: z.string().trim().min(1).max(ACCESSION_MAX_LENGTH) }),
  subject: referenceTo('Patient'),
  request: z.array(referenceTo('ServiceRequest')).min(1, 'must name the ServiceRequest the specimen was taken for'),
  receivedTime: instant.optional(),
  collection: z.object({ collectedDateTime: instant.optional() }).optional(),
});

const diagnosticReport = z.object({
  status: z.enum(['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown']),
  category: categoryWith(LABORATORY_SERVICE),
  code: coded,
  subject: referenceTo('Patient'),
  issued: instant.optional(),
  result: z.array(referenceTo('Observation')).optional(),
  specimen: z.array(referenceTo('Specimen')).optional(),
  basedOn: z.array(referenceTo('ServiceRequest')).optional(),
});

const laboratoryObservation = z.object({
  status: z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown']),
  // A test without a LOINC code (an analyzer application a lab assigns itself) keeps the
  // analyzer's own code first, in the analyzer code system.
  code: z
    .object({ coding: z.array(coding).min(1) })
    .refine((concept) => concept.coding[0]?.system === LOINC || concept.coding[0]?.system?.startsWith(ANALYZER_CODE_SYSTEM_PREFIX) === true, {
      message: `must be a LOINC code (system ${LOINC}) or an analyzer's own code (system ${ANALYZER_CODE_SYSTEM_PREFIX}<profile>): map the analyzer's test code in its profile`,
      path: ['coding', 0, 'system'],
    }),
  subject: referenceTo('Patient'),
  issued: instant.optional(),
  valueQuantity: z.object({ value: z.number(), unit: z.string().optional() }).optional(),
  specimen: referenceTo('Specimen').optional(),
  basedOn: z.array(referenceTo('ServiceRequest')).optional(),
});

/** Formats an issue's path as a FHIRPath-like location in the document, such as `resource.code.coding[0].system`. */
function elementPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), 'resource');
}

function check(document: WireDocument, kind: string, schema: z.ZodType): void {
  const parsed = schema.safeParse(document.resource);
  if (parsed.success) return;
  const issues = parsed.error.issues.map((issue) => `${elementPath(issue.path)}: ${issue.message}`).join('; ');
  throw badRequest(`Document ${document.id}: invalid ${kind}: ${issues}`);
}

/** Throws a 400 HttpError unless a ServiceRequest names a laboratory department of this server. */
function checkPerformingDepartment(document: WireDocument, locations: LocationDirectory): void {
  const departmentId = performingDepartmentOf(document.resource as FhirResource);
  if (locations.isLaboratoryDepartment(departmentId)) return;
  const known = locations.laboratoryDepartmentIds();
  throw badRequest(
    `Document ${document.id}: resource.locationReference[0] names Location ${quoteValue(departmentId)}, which is not a laboratory department on this server; ` +
      (known.length > 0 ? `name one of ${known.map((id) => `Location/${id}`).join(', ')}` : 'create a Location typed HLAB first'),
  );
}

/** Throws a 400 HttpError naming the element when a lab order, specimen, report or result lacks what this server requires. Other documents pass. */
export function validateLaboratoryDocument(document: WireDocument, locations: LocationDirectory): void {
  const resource = document.resource as FhirResource;
  switch (document.resourceType) {
    case 'ServiceRequest':
      check(document, 'ServiceRequest', serviceRequest);
      checkPerformingDepartment(document, locations);
      return;
    case 'Specimen':
      check(document, 'Specimen', specimen);
      return;
    case 'DiagnosticReport':
      check(document, 'DiagnosticReport', diagnosticReport);
      return;
    case 'Observation':
      if (isLaboratoryObservation(resource)) check(document, 'laboratory Observation', laboratoryObservation);
      return;
    default:
  }
}
