import type { AnalyzerProfile, LoadedProfile, ProfileFileError } from '../../../devices/profiles/index.js';
import { formatProfileErrors, loadProfiles, loadShippedProfiles, transportSettingsOf } from '../../../devices/profiles/index.js';
import type { Transport } from '../../../devices/transport/index.js';
import { createTransport } from '../../../devices/transport/index.js';
import type { Logger } from '../logging/logger.js';
import type { WorkstationSettings } from '../settings.js';

export type LabSettings = NonNullable<WorkstationSettings['lab']>;

/** One configured analyzer connection, resolved to its profile and complete transport settings. */
export interface ResolvedLabConnection {
  profile: AnalyzerProfile;
  transport: Transport;
}

/** A connection that cannot start, with the reason lab IT needs to fix it. */
export interface LabConnectionProblem {
  profile: string;
  problem: string;
  /** The serial port of a connection that policy's allowedSerialPorts does not name. */
  endpoint?: string;
  refusedByPolicy?: boolean;
}

/** Decides whether policy lets a connection open this serial port; every port is allowed by default. */
export type SerialPortCheck = (path: string) => boolean;

/**
 * Loads the shipped profiles and IT's folder. A profile in IT's folder replaces a shipped one with
 * the same id, so a site can adjust a shipped profile without editing the product.
 */
export async function loadLabProfiles(settings: LabSettings, logger: Logger): Promise<Map<string, AnalyzerProfile>> {
  const shipped = loadShippedProfiles();
  const byId = new Map<string, AnalyzerProfile>(shipped.profiles.map((loaded: LoadedProfile) => [loaded.profile.id, loaded.profile]));
  reportProfileErrors('shipped', shipped.errors, logger);
  if (settings.profileFolder) {
    try {
      const site = await loadProfiles(settings.profileFolder);
      for (const loaded of site.profiles) byId.set(loaded.profile.id, loaded.profile);
      reportProfileErrors(settings.profileFolder, site.errors, logger);
    } catch (error) {
      logger.error({ folder: settings.profileFolder, err: error }, 'the analyzer profile folder cannot be read; only shipped profiles are available');
    }
  }
  return byId;
}

function reportProfileErrors(folder: string, errors: readonly ProfileFileError[], logger: Logger): void {
  if (errors.length === 0) return;
  logger.error({ folder, files: errors.map((error) => error.file), details: formatProfileErrors(errors) }, 'analyzer profiles with errors were skipped');
}

/**
 * Builds a transport for each configured connection. A connection whose profile is unknown or
 * lacks a setting is reported and left out; the others still start.
 */
export function resolveLabConnections(
  settings: LabSettings,
  profiles: ReadonlyMap<string, AnalyzerProfile>,
  logger: Logger,
  makeTransport: typeof createTransport = createTransport,
  isSerialPortAllowed: SerialPortCheck = () => true,
): { connections: ResolvedLabConnection[]; problems: LabConnectionProblem[] } {
  const connections: ResolvedLabConnection[] = [];
  const problems: LabConnectionProblem[] = [];
  for (const configured of settings.connections) {
    const profile = profiles.get(configured.profile);
    if (!profile) {
      problems.push({ profile: configured.profile, problem: `no analyzer profile has the id "${configured.profile}"; check lab.connections in settings.json and the profile folder` });
      continue;
    }
    try {
      const merged = { ...profile, transport: { ...profile.transport, ...configured.transport } } as AnalyzerProfile;
      const settings = transportSettingsOf(merged);
      if (settings.kind === 'serial' && !isSerialPortAllowed(settings.path)) {
        problems.push({
          profile: profile.id,
          endpoint: settings.path,
          refusedByPolicy: true,
          problem: `serial port ${settings.path} is not in the policy's allowedSerialPorts, so the connection was not opened; ask IT to add the port to the policy or connect the analyzer to an allowed port`,
        });
        continue;
      }
      const transport = makeTransport(settings, { id: profile.id, logger });
      connections.push({ profile: merged, transport });
    } catch (error) {
      problems.push({ profile: profile.id, problem: (error as Error).message });
    }
  }
  for (const problem of problems) logger.error(problem, 'analyzer connection not started');
  return { connections, problems };
}
