import { realpathSync } from 'node:fs';

import { debounceTime, filter } from 'rxjs/operators';

import type { AstmLinkOptions } from '../../../devices/astm/index.js';
import { createTransport } from '../../../devices/transport/index.js';
import type { DatabaseKey } from '../../../sync/replica/sqlite/connection-pool.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { Clock } from '../clock.js';
import { isSerialPortAllowedAt } from '../device-policy.js';
import type { Logger } from '../logging/logger.js';
import type { LocalWriter } from '../services/local-writer.js';
import type { WorkstationSettings } from '../settings.js';
import { AnalyzerSession } from './analyzer-session.js';
import { LabArchive } from './lab-archive.js';
import type { LabConnectionProblem } from './lab-connections.js';
import { loadLabProfiles, resolveLabConnections } from './lab-connections.js';
import type { HeldGroup } from './lab-service.js';
import { LabService } from './lab-service.js';
import { ReviewQueue } from './review-queue.js';

/** Waits for a burst of synced Specimens to end before looking for the held results they unblock. */
const SPECIMEN_ARRIVAL_DEBOUNCE_MS = 500;
const WIRE_JOURNAL_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface LabSetup {
  service: LabService;
  /** Connections that did not start: unknown profiles, invalid settings, ports policy does not allow. */
  problems: readonly LabConnectionProblem[];
  close(): Promise<void>;
}

export interface SetupLabOptions {
  settings: WorkstationSettings;
  replica: ReplicaDatabase;
  replicaFile: string;
  replicaKey: DatabaseKey | undefined;
  writer: LocalWriter;
  clock: Clock;
  logger: Logger;
  /** Zone of analyzer timestamps without an offset; the workstation's zone unless a test sets one. */
  timeZone?: string;
  /** IT's allow-list of serial ports; unset allows every port. */
  allowedSerialPorts?: readonly string[];
  /** E1381 timings of the ASTM links, the standard's by default; fault tests shorten them. */
  astmTimings?: Pick<AstmLinkOptions, 'replyTimeoutMs' | 'receiveTimeoutMs' | 'busyRetryDelayMs' | 'contentionRetryDelayMs' | 'lineFeedWaitMs'>;
}

/**
 * Starts the lab bench: the archive and review queue in the replica file, then one analyzer session
 * per configured connection. A workstation without lab settings gets the service with no
 * connections, so the lab calls return empty lists there.
 */
export async function setupLab(options: SetupLabOptions): Promise<LabSetup> {
  const now = () => options.clock.now();
  const archive = new LabArchive(options.replicaFile, options.replicaKey, { now });
  const review = new ReviewQueue<HeldGroup>(options.replicaFile, options.replicaKey, { now });
  const labSettings = options.settings.lab ?? { connections: [] };
  const profiles = await loadLabProfiles(labSettings, options.logger);
  const service = new LabService({
    replica: options.replica,
    writer: options.writer,
    archive,
    review,
    profiles,
    logger: options.logger,
    now,
    timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  await service.recover();
  // Every complete message stays in the archive; the wire journal only serves transfers in flight
  // and troubleshooting, so it keeps a month.
  const pruneWire = () => {
    const removed = archive.pruneWire(new Date(now().getTime() - WIRE_JOURNAL_DAYS * DAY_MS));
    if (removed > 0) options.logger.info({ chunks: removed }, 'pruned the lab wire journal');
  };
  pruneWire();
  const pruneTimer = setInterval(pruneWire, DAY_MS);
  pruneTimer.unref();
  await service.releaseArrivedOrders();
  // Results that came before their order wait for its Specimen; check again when Specimens sync.
  const arrivals = options.replica.records.$.pipe(
    filter((change) => (change.documentData as { resourceType?: string } | undefined)?.resourceType === 'Specimen'),
    debounceTime(SPECIMEN_ARRIVAL_DEBOUNCE_MS),
  ).subscribe(() => {
    service.releaseArrivedOrders().catch((error: unknown) => options.logger.error({ err: error }, 'releasing held lab results whose order arrived failed; they stay in the review queue'));
  });

  const policy = options.allowedSerialPorts === undefined ? {} : { allowedSerialPorts: [...options.allowedSerialPorts] };
  const portAllowed = (path: string) => isSerialPortAllowedAt(policy, path, resolveDevicePath);
  const { connections, problems } = resolveLabConnections(labSettings, profiles, options.logger, createTransport, portAllowed);
  for (const { profile, transport } of connections) {
    const session = new AnalyzerSession({
      connectionId: profile.id,
      protocol: profile.protocol.name === 'astm-e1381' ? 'astm' : 'hl7',
      transport,
      archive,
      handle: service.handle,
      logger: options.logger,
      now,
      ...(profile.protocol.name === 'astm-e1381' ? { astm: { ...options.astmTimings, acceptOversizedFrames: profile.protocol.acceptOversizedFrames } } : {}),
    });
    service.attach(session, profile.name);
    try {
      await session.start();
    } catch (error) {
      // The session stays listed with its failed state, so lab IT reads the reason on the status screen.
      options.logger.error({ connection: profile.id, err: error }, 'analyzer connection failed to open');
    }
  }

  return {
    service,
    problems,
    async close() {
      clearInterval(pruneTimer);
      arrivals.unsubscribe();
      await service.close();
      review.close();
      archive.close();
    },
  };
}

/** Follows a symlink such as /dev/serial/by-id/… to its device; undefined for a path that does not exist. */
function resolveDevicePath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
