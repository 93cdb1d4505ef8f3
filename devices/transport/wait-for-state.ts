import type { Transport, TransportState, TransportStateChange } from './transport.js';

/**
 * Resolves with the state change that brings `transport` into `state`, or at once if it is already
 * there (with a synthetic change whose reason states that). Rejects after `timeoutMs`, naming the state
 * the transport was stuck in, and when the transport fails while waiting for another state.
 */
export function waitForTransportState(transport: Transport, state: TransportState, timeoutMs = 30_000): Promise<TransportStateChange> {
  if (transport.state === state) {
    return Promise.resolve({ state, previous: state, reason: `already ${state}`, attempt: 0 });
  }

  return new Promise<TransportStateChange>((resolve, reject) => {
    const timer = setTimeout(() => {
      transport.off('state', onState);
      reject(new Error(`Connection ${transport.id} did not become ${state} within ${timeoutMs} ms; it is ${transport.state}`));
    }, timeoutMs);
    const onState = (change: TransportStateChange): void => {
      const failedInstead = change.state === 'failed' && state !== 'failed';
      if (change.state !== state && !failedInstead) return;
      clearTimeout(timer);
      transport.off('state', onState);
      if (failedInstead) reject(new Error(`Connection ${transport.id} failed while waiting for ${state}: ${change.reason}`, { cause: change.error }));
      else resolve(change);
    };
    transport.on('state', onState);
  });
}
