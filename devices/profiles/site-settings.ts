import type { TransportSettings } from '../transport/settings.js';
import { transportSettingsSchema } from '../transport/settings.js';
import type { AnalyzerProfile } from './schema.js';

export class ProfileSettingMissingError extends Error {
  constructor(
    readonly profileId: string,
    readonly setting: string,
    fix: string,
  ) {
    super(`Profile ${profileId} has no transport.${setting}: ${fix}`);
    this.name = 'ProfileSettingMissingError';
  }
}

/**
 * Returns the complete transport settings of a profile, with defaults filled in. Throws
 * ProfileSettingMissingError for a per-workstation setting that the profile leaves out.
 */
export function transportSettingsOf(profile: Pick<AnalyzerProfile, 'id' | 'transport'>): TransportSettings {
  const transport = profile.transport;
  switch (transport.kind) {
    case 'serial':
      if (!transport.path) throw new ProfileSettingMissingError(profile.id, 'path', 'set the serial port of this workstation, such as "COM3" or "/dev/ttyUSB0"');
      break;
    case 'tcp-client':
      if (!transport.host) throw new ProfileSettingMissingError(profile.id, 'host', "set the analyzer's IP address or host name");
      if (!transport.port) throw new ProfileSettingMissingError(profile.id, 'port', "set the TCP port of the analyzer's LIS interface");
      break;
    case 'tcp-server':
      if (transport.port === undefined) throw new ProfileSettingMissingError(profile.id, 'port', "set the TCP port the analyzer connects to, as configured in the analyzer's LIS settings");
      break;
  }
  return transportSettingsSchema.parse(transport);
}
