import { SerialTransport } from './serial-transport.js';
import type { TransportSettings, TransportSettingsInput } from './settings.js';
import { transportSettingsSchema } from './settings.js';
import { TcpClientTransport } from './tcp-client-transport.js';
import { TcpServerTransport } from './tcp-server-transport.js';
import type { Transport } from './transport.js';
import type { TransportOptions } from './transport-base.js';

/**
 * Builds the transport that `settings.kind` names, after validating the settings and filling in
 * their defaults. Throws a zod error naming each invalid setting. The transport starts closed.
 */
export function createTransport(settings: TransportSettingsInput | TransportSettings, options: TransportOptions): Transport {
  const parsed = transportSettingsSchema.parse(settings);
  switch (parsed.kind) {
    case 'serial':
      return new SerialTransport(parsed, options);
    case 'tcp-client':
      return new TcpClientTransport(parsed, options);
    case 'tcp-server':
      return new TcpServerTransport(parsed, options);
  }
}
