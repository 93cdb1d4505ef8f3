import type { Transport, TransportSettingsInput, TransportStateChange } from '../transport/index.js';
import { TcpServerTransport } from '../transport/index.js';

/** The connection could not be opened in time, or failed for good. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/**
 * Resolves once `transport` is open. Rejects with ConnectionError after `timeoutMs` or when the
 * transport fails for good, and with the signal's reason when the simulator is stopped.
 */
export function waitUntilOpen(transport: Transport, timeoutMs: number, signal: AbortSignal, lastChange?: TransportStateChange): Promise<void> {
  if (transport.state === 'open') return Promise.resolve();
  if (signal.aborted) return Promise.reject(signal.reason as Error);

  return new Promise<void>((resolve, reject) => {
    let lastReason = lastChange === undefined ? `it is ${transport.state}` : describeState(lastChange);
    const cleanup = (): void => {
      clearTimeout(timer);
      transport.off('state', onState);
      signal.removeEventListener('abort', onAbort);
    };
    const onState = (change: TransportStateChange): void => {
      lastReason = describeState(change);
      if (change.state === 'open') {
        cleanup();
        resolve();
      } else if (change.state === 'failed') {
        cleanup();
        reject(new ConnectionError(`The connection on ${transport.endpoint} failed: ${change.reason}`));
      }
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      cleanup();
      let failure = 'Could not open';
      if (transport.kind === 'tcp-server') failure = 'The host did not connect to';
      if (transport.kind === 'tcp-client') failure = 'Could not connect to';
      reject(new ConnectionError(`${failure} ${transport.endpoint} within ${timeoutMs} ms (${lastReason}): check that the host is running and its address, or raise the open timeout`));
    }, timeoutMs);

    transport.on('state', onState);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Describes the state with the system's error code, such as "reconnecting after ECONNREFUSED". The transport's
 * own reason is worded for the workstation, where the other end is the analyzer, so it is left out.
 */
function describeState(change: TransportStateChange): string {
  const code = (change.error as NodeJS.ErrnoException | undefined)?.code;
  return `it is ${change.state}${code === undefined ? '' : ` after ${code}`}`;
}

/** Returns the port a TCP server transport listens on; undefined for other transports or before it listens. */
export function listeningPort(transport: Transport): number | undefined {
  return transport instanceof TcpServerTransport ? transport.address?.port : undefined;
}

/**
 * Returns the settings to open a listening transport again after the simulator closed it: a listener
 * that picked a free port (port 0) keeps the port it had, so the host can reconnect to it.
 */
export function settingsForReopen(settings: TransportSettingsInput, port: number | undefined): TransportSettingsInput {
  if (settings.kind !== 'tcp-server' || settings.port !== 0 || port === undefined) return settings;
  return { ...settings, port };
}
