import { z } from 'zod';

/**
 * `GET /ward/configuration`: the settings hospital IT fixed centrally for one ward, such as its
 * inactivity lock or update ring. The workstation checks each key against its policy schema and
 * caches the document, so the ward's settings apply when it starts offline.
 */
export const wardConfigurationResponse = z.object({
  wardId: z.string().min(1),
  /** Raised by the server at every change; 0 means the ward has no configuration. */
  revision: z.number().int().min(0),
  /** Time of the last change (ISO 8601), or null for a ward without configuration. */
  updatedAt: z.string().nullable(),
  /** Policy keys and values; the workstation validates each key and ignores an invalid one. */
  values: z.record(z.string(), z.unknown()),
});
export type WardConfigurationResponse = z.infer<typeof wardConfigurationResponse>;
