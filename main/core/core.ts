import { createHash } from 'node:crypto';
import { join } from 'node:path';

import type { RxStorage } from 'rxdb';
import { merge } from 'rxjs';
import { bufferTime, filter, map } from 'rxjs/operators';

import type { ConnectivityOptions } from '../../sync/client/connectivity.js';
import { DatasetStateStore } from '../../sync/client/dataset-state.js';
import { DeferredPushes } from '../../sync/client/deferred-pushes.js';
import { Outbox } from '../../sync/client/outbox.js';
import { ConflictLog } from '../../sync/client/conflict-log.js';
import type { WorkstationReplicationOptions } from '../../sync/client/replication.js';
import { WorkstationReplication } from '../../sync/client/replication.js';
import { ServerClient } from '../../sync/client/server-client.js';
import type { ReplicaDatabase } from '../../sync/replica/replica.js';
import type { MigrationProgress } from '../../sync/replica/migrations.js';
import { followPatientIndex } from '../../sync/replica/patient-index-feed.js';
import type { DatabaseKey } from '../../sync/replica/sqlite/connection-pool.js';
import { acquireConnection, releaseConnection } from '../../sync/replica/sqlite/connection-pool.js';
import { DEFAULT_REPLICA_NAME, openReplica } from '../../sync/replica/replica.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { CoreEvents } from './events.js';
import { AuditTrail } from './audit/audit-trail.js';
import { CredentialStore } from './auth/credential-store.js';
import { ApiGateway } from './gateway.js';
import type { Logger } from './logging/logger.js';
import { componentLogger } from './logging/logger.js';
import type { ReadImagingInstance } from './imaging/instance-access.js';
import type { PrefetchRunner } from './imaging/prefetch-runner.js';
import type { SetupImagingOptions } from './imaging/setup-imaging.js';
import { setupImaging } from './imaging/setup-imaging.js';
import type { SetupLabOptions } from './lab/setup-lab.js';
import { setupLab } from './lab/setup-lab.js';
import { findSpecimenByAccession } from './lab/specimen-lookup.js';
import type { HidBinding } from '../../devices/hid-scanner/index.js';
import { setupScanning } from './scan/setup-scanning.js';
import { setupMedication } from './medication/setup-medication.js';
import type { MachinePolicy } from './policy.js';
import { sessionPolicy } from './policy.js';
import type { PolicyReading } from './policy-document.js';
import type { AppVersions } from './diagnostics/diagnostics-service.js';
import { DiagnosticsService } from './diagnostics/diagnostics-service.js';
import { WorkstationPolicy } from './workstation-policy.js';
import { displayName, gender } from './services/fhir-views.js';
import { dropLostEntryWrites } from './services/outbox-recovery.js';
import { PatientService } from './services/patient-service.js';
import { RetentionService } from './services/retention-service.js';
import { ReplicaReader } from './services/replica-reader.js';
import { SessionService } from './services/session-service.js';
import { VitalsService } from './services/vitals-service.js';
import { WardService } from './services/ward-service.js';
import type { WorkstationSettings } from './settings.js';
import { createSyncReview } from './sync-review.js';

export interface CoreOptions {
  settings: WorkstationSettings;
  /** Folder of the replica's SQLite file. */
  dataDirectory: string;
  /**
   * RxDB database name and file name of the replica. RxDB refuses two open databases of one name
   * in a process, so tests that run several workstations give each its own.
   */
  replicaName?: string;
  logger: Logger;
  clock?: Clock;
  /** Replaces the replica's storage (tests wrap it in RxDB's schema validation). */
  storage?: RxStorage<unknown, unknown>;
  connectivity?: ConnectivityOptions;
  streamSilenceTimeoutMs?: number;
  /** Gives up a request to the central server after this long (15 s by default); fault tests scale it down. */
  requestTimeoutMs?: number;
  /** Pull interval while live updates are interrupted (10 s by default); fault tests scale it down. */
  pollIntervalMs?: number;
  /** Batch sizes and retry back-off of the replication; tests shorten and shrink them. */
  sync?: Pick<WorkstationReplicationOptions, 'pushBatchSize' | 'pullBatchSize' | 'initialLoadPageSize' | 'retry'>;
  /** IT's machine policy: session periods, lock and sign-in limits. */
  policy?: MachinePolicy;
  /**
   * The machine's policy sources as the host read them, for the settings screen's sources. Without
   * it, `policy` is shown as mandatory with the source "host policy".
   */
  policyReading?: PolicyReading;
  /** Versions for the diagnostics screen; the host knows the app's and Electron's. */
  versions?: AppVersions;
  /** Folder of the log files, `<data>/logs` by default. */
  logDirectory?: string;
  /** Folder of local crash dumps, `<data>/crash-dumps` by default. */
  crashDumpDirectory?: string;
  /** Encryption key of the replica file, 64 hex digits; without it the replica is stored in clear. */
  replicaKey?: DatabaseKey;
  /** Shows the progress of a schema migration of the replica at start-up. */
  onMigrationProgress?: (progress: MigrationProgress) => void;
  /** Zone of analyzer timestamps without an offset; the workstation's own zone by default. */
  labTimeZone?: string;
  /** E1381 timings of the lab's ASTM links; fault tests shorten the standard's. */
  labAstmTimings?: SetupLabOptions['astmTimings'];
  /** Replaces node-hid, for tests with a fake HID POS scanner; null turns HID scanners off. */
  hidDevices?: HidBinding | null;
  /** Timing of the imaging prefetch; tests shorten its debounce. */
  imagingPrefetch?: SetupImagingOptions['prefetch'];
}

export interface Core {
  gateway: ApiGateway;
  events: CoreEvents;
  replica: ReplicaDatabase;
  replication: WorkstationReplication;
  session: SessionService;
  retention: RetentionService;
  /** Effective settings with their sources, and the ward configuration's refresh. */
  policy: WorkstationPolicy;
  diagnostics: DiagnosticsService;
  imaging: {
    /** Answers the hosts' DICOM instance URLs from the study cache or, through it, the PACS. */
    readInstance: ReadImagingInstance;
    /** The background prefetch; absent without imaging settings. */
    prefetch: PrefetchRunner | undefined;
  };
  close(): Promise<void>;
}

/**
 * The composition root of the host-independent core: replica, sync, services and the API gateway.
 * Both hosts (Electron and the browser host) call this and only carry calls and events.
 */
export async function createCore(options: CoreOptions): Promise<Core> {
  const clock = options.clock ?? systemClock;
  const log = (component: string) => componentLogger(options.logger, component);
  const { settings } = options;

  const replicaName = options.replicaName ?? DEFAULT_REPLICA_NAME;
  const replica = await openReplica({
    directory: options.dataDirectory,
    name: replicaName,
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.replicaKey ? { key: options.replicaKey } : {}),
    onMigrationProgress: (progress) => {
      log('replica').info({ collection: progress.collection, handled: progress.handled, total: progress.total }, 'migrating the replica to a new schema version');
      options.onMigrationProgress?.(progress);
    },
  });
  const replicaFile = join(options.dataDirectory, `${replicaName}.sqlite`);
  const outbox = new Outbox(replicaFile, options.replicaKey, { now: () => clock.now() });
  const conflictLog = new ConflictLog(replicaFile, options.replicaKey);
  const deferredPushes = new DeferredPushes(replicaFile, options.replicaKey);
  const datasetState = new DatasetStateStore(replicaFile, options.replicaKey);
  const server = new ServerClient({ baseUrl: settings.serverUrl, ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}) });
  const credentials = new CredentialStore(replicaFile, options.replicaKey);
  const lostWrites = await dropLostEntryWrites(outbox, replica);
  if (lostWrites > 0) log('replication').warn({ entries: lostWrites }, 'dropped unsent-change rows of entries that a stopped process never wrote');
  const replication = new WorkstationReplication({
    replica,
    server,
    outbox,
    conflicts: conflictLog,
    deferred: deferredPushes,
    dataset: datasetState,
    onCredentialsRenewed: (renewed) => credentials.saveSyncCredentials(renewed),
    onCredentialsSpent: () => credentials.clearSyncToken(),
    logger: log('replication'),
    scopeKey: scopeKey(settings),
    workstationId: settings.workstationId,
    now: () => clock.now(),
    ...(options.connectivity ? { connectivity: options.connectivity } : {}),
    ...(options.streamSilenceTimeoutMs ? { streamSilenceTimeoutMs: options.streamSilenceTimeoutMs } : {}),
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...options.sync,
  });

  const events = new CoreEvents();
  const audit = new AuditTrail(replica, settings.workstationId, clock, log('audit'));
  const reader = new ReplicaReader(replica);
  const ward = new WardService(reader, clock);
  const patientIndex = await followPatientIndex(replica, (patient) => ({ displayName: displayName(patient), gender: gender(patient) }));
  const patients = new PatientService({
    reader,
    index: patientIndex.index,
    wardId: settings.wardId,
    ward,
    server,
    authorized: (send) => replication.authorization.request(send),
    workstationId: settings.workstationId,
    clock,
    logger: log('patients'),
  });
  const readerFor = (patientId: string) => patients.readerFor(patientId);
  const review = createSyncReview({ replica, replicaFile, replicaKey: options.replicaKey, reader, readerFor, outbox, conflictLog, replication, server, audit, clock, log });
  const vitals = new VitalsService(reader, readerFor, ward, review.writer, clock, log('vitals'), review.states);
  const session = new SessionService({
    server,
    settings,
    policy: sessionPolicy(options.policy ?? {}),
    credentials,
    audit,
    events,
    clock,
    logger: log('session'),
    onSignedIn: async (syncCredentials) => {
      credentials.saveSyncCredentials(syncCredentials);
      await replication.start(syncCredentials);
    },
    onSessionEnded: () => patients.endEmergencyAccess(),
  });

  const lab = await setupLab({
    settings,
    replica,
    replicaFile,
    replicaKey: options.replicaKey,
    writer: review.writer,
    clock,
    logger: log('lab'),
    ...(options.labTimeZone ? { timeZone: options.labTimeZone } : {}),
    ...(options.labAstmTimings ? { astmTimings: options.labAstmTimings } : {}),
    ...(options.policy?.allowedSerialPorts ? { allowedSerialPorts: options.policy.allowedSerialPorts } : {}),
  });
  lab.service.on('changed', (change) => events.emit('labChanged', change));
  const scanning = await setupScanning({
    settings,
    events,
    clock,
    logger: log('scan'),
    ...(options.policy ? { policy: options.policy } : {}),
    sessionActive: () => session.current() !== null && !session.isLocked(),
    ...(options.hidDevices !== undefined ? { hid: options.hidDevices } : {}),
  });

  const imaging = await setupImaging({
    settings,
    dataDirectory: options.dataDirectory,
    replica,
    replicaFile,
    replicaKey: options.replicaKey,
    reader,
    readerFor,
    currentSession: () => session.current(),
    isLocked: () => session.isLocked(),
    events,
    clock,
    logger: log('imaging'),
    ...(options.imagingPrefetch ? { prefetch: options.imagingPrefetch } : {}),
  });

  const workstationPolicy = new WorkstationPolicy({
    machine: options.policyReading ?? { layers: options.policy ? [{ level: 'mandatory', source: 'host policy', values: options.policy }] : [], problems: [] },
    dataDirectory: options.dataDirectory,
    logger: log('policy'),
  });
  const diagnostics = new DiagnosticsService({
    versions: options.versions ?? { app: 'unknown', electron: null },
    workstationId: settings.workstationId,
    wardId: settings.wardId,
    dataDirectory: options.dataDirectory,
    logDirectory: options.logDirectory ?? join(options.dataDirectory, 'logs'),
    crashDumpDirectory: options.crashDumpDirectory ?? join(options.dataDirectory, 'crash-dumps'),
    replica,
    replicaFile,
    syncStatus: () => replication.status$.getValue(),
    labConnections: () => lab.service.connections(),
    labProblems: () => lab.problems,
    scanners: () => scanning.registry.list(),
    policy: workstationPolicy,
    clock,
    logger: log('diagnostics'),
  });
  // The ward configuration is fetched at every return of the server and hourly, and cached for an offline start.
  const refreshWardConfiguration = () => {
    workstationPolicy
      .refreshWardConfiguration(() => replication.authorization.request((token) => server.wardConfiguration(token)))
      .catch((error: unknown) => log('policy').warn({ reason: error instanceof Error ? error.message : String(error) }, 'ward configuration could not be fetched; the cached copy stays in use'));
  };
  const wardConfigurationTimer = setInterval(() => {
    if (replication.status$.getValue().state === 'online') refreshWardConfiguration();
  }, WARD_CONFIGURATION_INTERVAL_MS);
  wardConfigurationTimer.unref();

  const requireSession = () => {
    const current = session.current();
    if (!current) throw new Error('A session-only call ran without a session; the gateway must check access first');
    return current;
  };
  const medication = setupMedication({ replica, reader, writer: review.writer, audit, states: review.states, clock, logger: log('medication'), settings: settings.medication, requireSession });

  const gateway = new ApiGateway({
    currentSession: () => session.current(),
    isLocked: () => session.isLocked(),
    audit,
    logger: log('gateway'),
    handlers: {
      settings: {
        effective: async () => workstationPolicy.settings(),
        update: async (input) => workstationPolicy.updateUserSetting(input.key, input.value, requireSession().user.id),
      },
      diagnostics: {
        summary: () => diagnostics.summary(),
        export: () => diagnostics.exportBundle(),
      },
      session: {
        signIn: (input) => session.signIn(input),
        signOut: () => session.signOut(),
        current: async () => session.state(),
        serverReachable: async () => ({ reachable: await server.health() }),
        unlock: (input) => session.unlock(input.password),
        activity: async () => session.activity(),
      },
      ward: {
        listPatients: async () => ward.listPatients(requireSession().ward.id),
        enrolment: async () => ward.enrolment(requireSession().ward.id),
      },
      patient: {
        search: (input) => patients.search(input.query),
        breakTheGlass: (input) => patients.breakTheGlass(input.patientId, input.reason, requireSession()),
        getChart: (input) => patients.chart(input.patientId),
        setSpO2Scale: (input) => vitals.setSpO2Scale(input.patientId, input.scale, requireSession()),
        getContact: (input) => review.contacts.get(input.patientId),
        updateContact: (input) => review.contacts.update(input),
      },
      vitals: {
        list: (input) => vitals.list(input.patientId, input.limit),
        record: (input) => vitals.record(input, requireSession()),
      },
      sync: {
        status: async () => replication.status$.getValue(),
        listConflicts: (input) => review.conflicts.list(input),
        resolveConflict: (input) => review.conflicts.resolve(input.id, input.decision, requireSession()),
        listRejected: () => review.rejected.list(),
        resendRejected: (input) => review.rejected.resend(input.collection, input.documentId),
      },
      scan: scanning.handlers,
      medication: medication.handlers,
      lab: {
        connections: async () => lab.service.connections(),
        recentMessages: async (input) => lab.service.recentMessages(input.limit),
        message: async (input) => lab.service.message(input.messageId),
        reviewQueue: async () => lab.service.reviewQueue(),
        matchReview: (input) => lab.service.matchReview(input.reviewId, input.accession),
        releaseReview: (input) => lab.service.releaseReview(input.reviewId, requireSession().user.id),
        rejectReview: async (input) => lab.service.rejectReview(input.reviewId, input.reason, requireSession().user.id),
        specimen: (input) => findSpecimenByAccession(replica, input.accession),
      },
      imaging: imaging.handlers,
    },
  });

  const retentionDatabase = acquireConnection(replicaFile, options.replicaKey);
  const retention = new RetentionService({
    replica,
    database: retentionDatabase,
    outbox,
    index: patientIndex.index,
    audit,
    wardId: settings.wardId,
    workstationId: settings.workstationId,
    retentionDays: options.policy?.retentionDaysAfterLeaving ?? DEFAULT_RETENTION_DAYS,
    clock,
    logger: log('retention'),
  });
  const runRetention = () => {
    retention.run().catch((error: unknown) => log('retention').error({ reason: error instanceof Error ? error.message : String(error) }, 'retention failed; it runs again later'));
  };
  // Retention acts on what the server last said about placements: first after a sync, then every few hours.
  const retentionTimer = setInterval(runRetention, RETENTION_INTERVAL_MS);
  retentionTimer.unref();
  let retentionRanSinceStart = false;

  // A workstation restarted during an outage goes on syncing with the last token it was given.
  const savedCredentials = credentials.loadSyncCredentials();
  if (savedCredentials) await replication.start(savedCredentials);

  let reconnecting = true;
  const subscriptions = [
    ...review.subscriptions,
    replication.status$.subscribe((status) => {
      events.emit('syncStatus', status);
      // Each return of the server is the next contact at which disabled users lose their cached password.
      if (status.state === 'offline' || status.state === 'stopped') reconnecting = true;
      // Not during an initial sync: a Patient whose Encounter has not arrived yet looks out of scope.
      if (status.state === 'online' && status.initialSync === null && !retentionRanSinceStart) {
        retentionRanSinceStart = true;
        runRetention();
      }
      if (status.state === 'online' && reconnecting && replication.token) {
        reconnecting = false;
        refreshWardConfiguration();
        session.refreshUsers((send) => replication.authorization.request(send)).catch((error: unknown) => log('session').warn({ reason: error instanceof Error ? error.message : String(error) }, 'cached users could not be checked'));
      }
    }),
    merge(replica.reference.$, replica.records.$, replica.entries.$)
      .pipe(
        map((change) => (change.documentData as { resourceType?: string } | undefined)?.resourceType ?? ''),
        bufferTime(100),
        filter((types) => types.length > 0),
      )
      .subscribe((types) => events.emit('replicaChanged', { resourceTypes: [...new Set(types)].filter(Boolean) })),
  ];

  options.logger.info({ workstationId: settings.workstationId, wardId: settings.wardId }, 'core started');

  return {
    gateway,
    events,
    replica,
    replication,
    session,
    retention,
    policy: workstationPolicy,
    diagnostics,
    imaging: { readInstance: imaging.readInstance, prefetch: imaging.prefetch },
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      patientIndex.subscription.unsubscribe();
      session.close();
      clearInterval(retentionTimer);
      clearInterval(wardConfigurationTimer);
      await replication.stop();
      await lab.close();
      await scanning.close();
      await imaging.close();
      await replica.close();
      outbox.close();
      conflictLog.close();
      review.close();
      deferredPushes.close();
      datasetState.close();
      credentials.close();
      releaseConnection(replicaFile);
      options.logger.info('core stopped');
    },
  };
}

/** Days a patient's local copy stays after they leave the ward, where policy sets none. */
const DEFAULT_RETENTION_DAYS = 30;
const RETENTION_INTERVAL_MS = 6 * 60 * 60 * 1000;
const WARD_CONFIGURATION_INTERVAL_MS = 60 * 60 * 1000;

/** Replication checkpoints belong to one server and one ward; a new scope starts afresh. */
function scopeKey(settings: WorkstationSettings): string {
  return createHash('sha256').update(`${settings.serverUrl}\u0000${settings.wardId}`).digest('hex').slice(0, 16);
}
