/**
 * Byte transports to lab analyzers: a serial port, a TCP client and a TCP server behind one
 * `Transport` interface, each reopening itself with backoff. `createTransport` builds one from
 * validated settings; the settings schemas are exported for analyzer profiles and policy files.
 */
export type { Transport, TransportEvents, TransportKind, TransportState, TransportStateChange } from './transport.js';
export { TransportNotOpenError } from './transport.js';
export type { TransportOptions } from './transport-base.js';
export { createTransport } from './create-transport.js';
export { SerialTransport } from './serial-transport.js';
export { TcpClientTransport } from './tcp-client-transport.js';
export { TcpServerTransport } from './tcp-server-transport.js';
export { waitForTransportState } from './wait-for-state.js';
export type {
  ReconnectSettings,
  SerialSettings,
  TcpClientSettings,
  TcpServerSettings,
  TransportSettings,
  TransportSettingsInput,
} from './settings.js';
export {
  reconnectSettingsSchema,
  serialLineSettingsShape,
  serialSettingsSchema,
  tcpClientSettingsSchema,
  tcpServerSettingsSchema,
  transportSettingsSchema,
} from './settings.js';
