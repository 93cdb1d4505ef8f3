import { z } from 'zod';

import { machinePolicy } from '../../core/policy.js';
import { POLICY_LEVELS } from '../../core/policy-document.js';

/**
 * Messages between the Electron main process and the core's utility process. Plain data with zod
 * schemas, because the core checks everything that crosses a process boundary.
 */

export { CORE_PORT_CHANNEL } from '../../../preload/api/message-port-transport.js';

/** First message to a new core process. */
export const coreInitMessage = z.object({
  type: z.literal('init'),
  dataDirectory: z.string().min(1),
  logDirectory: z.string().min(1),
  /** Replica encryption key, 32 bytes as hex, unsealed by main with the OS keychain. */
  replicaKey: z.string().regex(/^[0-9a-f]{64}$/, 'replicaKey must be 64 hex digits'),
  policy: machinePolicy,
  /** The machine's policy sources as main read them, for the settings screen's sources. */
  policyReading: z.object({
    layers: z.array(z.object({ level: z.enum(POLICY_LEVELS), source: z.string(), scope: z.enum(['machine', 'user']).optional(), values: z.record(z.string(), z.unknown()) })),
    problems: z.array(z.object({ source: z.string(), level: z.enum(POLICY_LEVELS).optional(), key: z.string().optional(), message: z.string() })),
  }).optional(),
  versions: z.object({ app: z.string(), electron: z.string().nullable() }).optional(),
  crashDumpDirectory: z.string().min(1).optional(),
});
export type CoreInitMessage = z.infer<typeof coreInitMessage>;

/** Main hands the core one end of a new MessageChannel for the window `windowId`. */
export const connectWindowMessage = z.object({
  type: z.literal('connect-window'),
  windowId: z.number().int().nonnegative(),
});

/** Sent by the core when it cannot start, with a message for IT. */
export const coreStartupFailedMessage = z.object({
  type: z.literal('startup-failed'),
  message: z.string(),
});

/** Sent by the core once it has opened the replica and serves windows. */
export const coreReadyMessage = z.object({ type: z.literal('ready') });

/** Main asks the core for one DICOM instance, for a request on the hms-dicom: scheme. */
export const readInstanceMessage = z.object({
  type: z.literal('read-instance'),
  requestId: z.number().int().nonnegative(),
  studyInstanceUid: z.string().max(200),
  seriesInstanceUid: z.string().max(200),
  sopInstanceUid: z.string().max(200),
});
export type ReadInstanceMessage = z.infer<typeof readInstanceMessage>;

/** The core's reply to `read-instance`: the instance's bytes, or an HTTP status and a message. */
export const instanceResultMessage = z.object({
  type: z.literal('instance-result'),
  requestId: z.number().int().nonnegative(),
  status: z.number().int(),
  bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'bytes must be a Uint8Array' }).optional(),
  error: z.string().optional(),
});
export type InstanceResultMessage = z.infer<typeof instanceResultMessage>;
