import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { DiagnosticsExport, DiagnosticsSummary } from '../../../preload/api/it-schemas.js';
import type { LabConnection } from '../../../preload/api/lab-schemas.js';
import type { ScannerView } from '../../../preload/api/scan-schemas.js';
import type { SyncStatus } from '../../../preload/api/schemas.js';
import { COLLECTION_NAMES } from '../../../sync/protocol/collections.js';
import type { ReplicaDatabase } from '../../../sync/replica/replica.js';
import type { Clock } from '../clock.js';
import type { LabConnectionProblem } from '../lab/lab-connections.js';
import type { Logger } from '../logging/logger.js';
import { POLICY_DEFAULTS } from '../policy.js';
import type { WorkstationPolicy } from '../workstation-policy.js';
import { listCrashDumps } from './crash-dumps.js';
import { writeDiagnosticsBundle } from './export-bundle.js';

/** Versions of the running app, which only the host can read (app and Electron). */
export interface AppVersions {
  app: string;
  electron: string | null;
}

export interface DiagnosticsServiceOptions {
  versions: AppVersions;
  workstationId: string;
  wardId: string;
  dataDirectory: string;
  logDirectory: string;
  crashDumpDirectory: string;
  replica: ReplicaDatabase;
  replicaFile: string;
  syncStatus: () => SyncStatus;
  labConnections: () => LabConnection[];
  labProblems: () => readonly LabConnectionProblem[];
  /** Barcode scanners as the scanner registry lists them; none when not given. */
  scanners?: () => readonly ScannerView[];
  policy: WorkstationPolicy;
  clock: Clock;
  logger: Logger;
}

/**
 * The diagnostics screen and export for IT: versions, replica size, sync lag, devices, logs, crash
 * dumps and the effective policy. It reads counts and settings only, never patient data.
 */
export class DiagnosticsService {
  readonly #options: DiagnosticsServiceOptions;

  constructor(options: DiagnosticsServiceOptions) {
    this.#options = options;
  }

  async summary(): Promise<DiagnosticsSummary> {
    const options = this.#options;
    const status = options.syncStatus();
    const now = options.clock.now().getTime();
    const lastSync = status.lastSuccessfulSyncAt === null ? null : Date.parse(status.lastSuccessfulSyncAt);
    const logs = folderSize(options.logDirectory, (file) => file.endsWith('.log'));
    const dumps = listCrashDumps(options.crashDumpDirectory).filter((dump) => dump.name.endsWith('.dmp'));
    const policy = options.policy.settings();
    const retention = policy.settings.find((setting) => setting.key === 'crashDumpRetentionDays')?.value;

    return {
      versions: { app: options.versions.app, electron: options.versions.electron, node: process.versions.node, platform: process.platform, arch: process.arch },
      workstationId: options.workstationId,
      wardId: options.wardId,
      dataDirectory: options.dataDirectory,
      logDirectory: options.logDirectory,
      replica: { bytes: replicaBytes(options.replicaFile), documents: await this.#documentCount() },
      sync: {
        state: status.state,
        lastSuccessfulSyncAt: status.lastSuccessfulSyncAt,
        lagSeconds: lastSync === null ? null : Math.max(0, Math.round((now - lastSync) / 1000)),
        pendingChanges: status.pendingChanges,
        oldestPendingAt: status.oldestPendingAt,
      },
      devices: this.#devices(),
      logs,
      crashDumps: {
        files: dumps.length,
        bytes: dumps.reduce((sum, dump) => sum + dump.bytes, 0),
        retentionDays: typeof retention === 'number' ? retention : POLICY_DEFAULTS.crashDumpRetentionDays,
      },
      policy,
    };
  }

  /**
   * Writes the export bundle into `<data>/diagnostics`. The patients' identifiers are read from the
   * replica only to mask them in the copied logs; they are not written anywhere.
   */
  async exportBundle(): Promise<DiagnosticsExport> {
    const options = this.#options;
    const summary = await this.summary();
    const stamp = options.clock.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const written = await writeDiagnosticsBundle({
      contents: {
        versions: { ...summary.versions, workstationId: summary.workstationId, wardId: summary.wardId, writtenAt: options.clock.now().toISOString() },
        effectivePolicy: summary.policy,
        replica: { ...summary.replica, documentsByCollection: await this.#documentCounts(), sync: summary.sync, logs: summary.logs },
        devices: summary.devices,
        crashDumps: listCrashDumps(options.crashDumpDirectory).map((dump) => ({ name: dump.name, bytes: dump.bytes, modifiedAt: dump.modifiedAt.toISOString() })),
      },
      logDirectory: options.logDirectory,
      outputDirectory: join(options.dataDirectory, 'diagnostics'),
      name: `hms-diagnostics-${options.workstationId}-${stamp}`,
      patientIdentifiers: await this.#patientIdentifiers(),
    });
    options.logger.info({ bytes: written.bytes, entries: written.entries.length }, 'diagnostics bundle written');
    return written;
  }

  #devices(): DiagnosticsSummary['devices'] {
    const connected = this.#options.labConnections().map((connection) => ({
      id: connection.id,
      kind: 'analyzer' as const,
      endpoint: connection.endpoint,
      state: connection.state,
      reason: connection.reason,
    }));
    const refused = this.#options.labProblems().map((problem) => ({
      id: problem.profile,
      kind: 'analyzer' as const,
      endpoint: problem.endpoint ?? '',
      state: problem.refusedByPolicy ? 'refused' : 'not-started',
      reason: problem.problem,
    }));
    const scanners = (this.#options.scanners?.() ?? []).map((scanner) => ({
      id: scanner.name,
      kind: 'scanner' as const,
      endpoint: scanner.vendorId === null || scanner.productId === null ? scanner.kind : `USB ${scanner.vendorId}:${scanner.productId}`,
      state: scanner.state,
      reason: scanner.reason ?? '',
    }));
    return [...connected, ...refused, ...scanners];
  }

  async #documentCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of COLLECTION_NAMES) counts[name] = await this.#options.replica[name].count().exec();
    return counts;
  }

  async #documentCount(): Promise<number> {
    const counts = await this.#documentCounts();
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  /** Names, identifiers, birth dates, phone numbers and addresses of the replica's patients. */
  async #patientIdentifiers(): Promise<string[]> {
    const patients = await this.#options.replica.records.find({ selector: { resourceType: 'Patient' } }).exec();
    const identifiers: string[] = [];
    for (const document of patients) {
      const resource = (document.toJSON() as { resource?: PatientFields }).resource ?? {};
      for (const name of resource.name ?? []) {
        if (name.family) identifiers.push(name.family);
        identifiers.push(...(name.given ?? []));
        if (name.text) identifiers.push(name.text);
      }
      for (const identifier of resource.identifier ?? []) if (identifier.value) identifiers.push(identifier.value);
      for (const telecom of resource.telecom ?? []) if (telecom.value) identifiers.push(telecom.value);
      for (const address of resource.address ?? []) identifiers.push(...(address.line ?? []));
      if (resource.birthDate) identifiers.push(resource.birthDate);
    }
    return identifiers;
  }
}

interface PatientFields {
  name?: { family?: string; given?: string[]; text?: string }[];
  identifier?: { value?: string }[];
  telecom?: { value?: string }[];
  address?: { line?: string[] }[];
  birthDate?: string;
}

function replicaBytes(replicaFile: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal']) {
    try {
      bytes += statSync(`${replicaFile}${suffix}`).size;
    } catch {
      // A replica without a write-ahead log at the moment has only its main file.
    }
  }
  return bytes;
}

function folderSize(directory: string, include: (file: string) => boolean): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  try {
    for (const file of readdirSync(directory)) {
      if (!include(file)) continue;
      files += 1;
      bytes += statSync(join(directory, file)).size;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { files, bytes };
}
