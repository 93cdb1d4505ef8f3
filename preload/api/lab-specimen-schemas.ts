import { z } from 'zod';

/** A specimen label's lookup on the lab bench: the Specimen with that accession and its orders. */

const isoDateTime = z.iso.datetime({ offset: true });

export const labSpecimenInput = z.object({
  /** The accession number on the label, as scanned or typed. */
  accession: z.string().trim().min(1).max(64),
});

export const labSpecimenOrder = z.object({
  /** Replica document id, such as `ServiceRequest/lab-order-27`. */
  serviceRequestId: z.string(),
  /** The ordered test or panel as the order names it. */
  display: z.string(),
  loinc: z.string().nullable(),
  /** FHIR ServiceRequest.status: active, on-hold, completed, revoked and so on. */
  status: z.string(),
  /** FHIR ServiceRequest.priority: routine, urgent, asap or stat; null when the order gives none. */
  priority: z.string().nullable(),
  authoredOn: isoDateTime.nullable(),
});
export type LabSpecimenOrder = z.infer<typeof labSpecimenOrder>;

export const labSpecimenView = z.object({
  /** Replica document id, such as `Specimen/specimen-27`. */
  specimenId: z.string(),
  accession: z.string(),
  /** The specimen type's display text, such as "Venous blood specimen". */
  type: z.string().nullable(),
  /** FHIR Specimen.status: available, unavailable, unsatisfactory or entered-in-error. */
  status: z.string().nullable(),
  collectedAt: isoDateTime.nullable(),
  patientId: z.string().nullable(),
  patientName: z.string().nullable(),
  mrn: z.string().nullable(),
  /** Every order of the specimen, whatever its status, in the order the Specimen lists them. */
  orders: z.array(labSpecimenOrder),
});
export type LabSpecimenView = z.infer<typeof labSpecimenView>;
