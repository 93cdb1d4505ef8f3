import type { CallDefinition, EventDefinition, HmsApi } from './contract.js';
import { calls, events } from './contract.js';
import type { ApiErrorBody, ApiResult } from './errors.js';
import { HmsApiError } from './errors.js';

/** How a host carries calls and events; the browser client and the Electron preload each provide one. */
export interface ApiTransport {
  invoke(channel: string, input: unknown): Promise<ApiResult<unknown>>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

export interface BuildApiOptions {
  /**
   * Turns a failed call into the value its promise rejects with; by default an `HmsApiError`.
   * The Electron preload rejects with the plain body instead, because contextBridge copies only
   * the message of an Error and drops `code` and `issues`.
   */
  rejectWith?: (body: ApiErrorBody) => unknown;
}

/**
 * Builds `window.hms` from the contract: one named function per declared call and one `on…`
 * subscription per declared event, so the renderer never sees a generic send or invoke.
 */
export function buildHmsApi(transport: ApiTransport, options: BuildApiOptions = {}): HmsApi {
  const rejectWith = options.rejectWith ?? ((body: ApiErrorBody) => new HmsApiError(body));
  const api: Record<string, Record<string, unknown>> = {};

  for (const [area, areaCalls] of Object.entries(calls)) {
    const functions: Record<string, unknown> = {};
    for (const [verb, definition] of Object.entries(areaCalls as Record<string, CallDefinition>)) {
      functions[verb] = async (input: unknown) => {
        const outcome = await transport.invoke(definition.channel, input ?? {});
        if (!outcome.ok) throw rejectWith(outcome.error);
        return outcome.value;
      };
    }
    api[area] = Object.freeze(functions);
  }

  const subscriptions: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(events as Record<string, EventDefinition>)) {
    const key = `on${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    subscriptions[key] = (listener: (payload: unknown) => void) => transport.subscribe(definition.channel, listener);
  }
  api.events = Object.freeze(subscriptions);

  return Object.freeze(api) as unknown as HmsApi;
}
