import { randomUUID } from 'node:crypto';

import type { z } from 'zod';

import type { Area, CallAccess, CallDefinition, Calls } from '../../preload/api/contract.js';
import { listCalls } from '../../preload/api/contract.js';
import type { ApiResult } from '../../preload/api/errors.js';
import { HmsApiError } from '../../preload/api/errors.js';
import type { SessionInfo } from '../../preload/api/schemas.js';
import type { AuditTrail } from './audit/audit-trail.js';
import { auditActionOf, patientIdsOf } from './audit/call-audit.js';
import type { Logger } from './logging/logger.js';

/** Caller of an API call: the host's id of the window or socket it came from. */
export interface CallContext {
  senderId: string;
}

/** Context a service handler receives besides its validated input. */
export interface ServiceContext extends CallContext {
  /** The signed-in session; null only for `public` calls. */
  session: SessionInfo | null;
}

type Handler<C> = C extends CallDefinition<infer I, infer R> ? (input: z.output<I>, context: ServiceContext) => Promise<z.input<R>> : never;

/** One handler per declared call; the compiler reports a call without a service. */
export type ServiceHandlers = {
  [A in Area]: { [V in keyof Calls[A]]: Handler<Calls[A][V]> };
};

export interface GatewayOptions {
  handlers: ServiceHandlers;
  currentSession: () => SessionInfo | null;
  /** True while the workstation is locked: only calls marked allowedWhileLocked pass. */
  isLocked?: () => boolean;
  /** Records an AuditEvent for every call that touches patient data, allowed or refused. */
  audit?: AuditTrail;
  logger: Logger;
}

/**
 * The one door from a renderer into the core. For every call it looks up the declared channel,
 * validates the input against the contract's schema, checks the session's roles, and only then
 * runs the service. Nothing reaches a service that the contract does not allow.
 */
export class ApiGateway {
  readonly #routes = new Map<string, { definition: CallDefinition; handler: (input: unknown, context: ServiceContext) => Promise<unknown> }>();
  readonly #currentSession: () => SessionInfo | null;
  readonly #isLocked: () => boolean;
  readonly #audit: AuditTrail | undefined;
  readonly #logger: Logger;

  constructor(options: GatewayOptions) {
    this.#currentSession = options.currentSession;
    this.#isLocked = options.isLocked ?? (() => false);
    this.#audit = options.audit;
    this.#logger = options.logger;
    const handlers = options.handlers as unknown as Record<string, Record<string, (input: unknown, context: ServiceContext) => Promise<unknown>>>;
    for (const definition of listCalls()) {
      const [area, verb] = definition.channel.split(':') as [string, string];
      const handler = handlers[area]?.[verb];
      if (!handler) throw new Error(`No service handles the declared call ${definition.channel}`);
      this.#routes.set(definition.channel, { definition, handler });
    }
  }

  async handle(channel: string, input: unknown, context: CallContext): Promise<ApiResult<unknown>> {
    const session = this.#currentSession();
    const started = performance.now();
    let result: ApiResult<unknown>;
    try {
      result = { ok: true, value: await this.#dispatch(channel, input, context) };
    } catch (error) {
      result = { ok: false, error: this.#toErrorBody(channel, error) };
    }
    await this.#recordAudit(channel, input, result, session);
    this.#logger.debug(
      { channel: channel.slice(0, 100), senderId: context.senderId, outcome: result.ok ? 'ok' : result.error.code, ms: Math.round(performance.now() - started) },
      'call handled',
    );
    return result;
  }

  /** Writes the AuditEvent of a call that touches patient data, whatever its outcome. */
  async #recordAudit(channel: string, input: unknown, result: ApiResult<unknown>, session: SessionInfo | null): Promise<void> {
    const definition = this.#routes.get(channel)?.definition;
    if (!this.#audit || !definition?.touchesPatientData) return;
    const user = session ? { id: session.user.id, name: session.user.username } : { id: null, name: '(no session)' };
    const reason = channel === 'patient:breakTheGlass' ? (input as { reason?: unknown } | null)?.reason : undefined;
    await this.#audit.apiCall({
      channel,
      action: auditActionOf(channel),
      outcome: result.ok ? '0' : result.error.code === 'internal' ? '8' : '4',
      user,
      patientIds: patientIdsOf(input, result.ok ? result.value : undefined),
      ...(result.ok ? {} : { failure: `${result.error.code}: ${result.error.message.slice(0, 200)}` }),
      ...(typeof reason === 'string' && result.ok ? { breakTheGlassReason: reason.trim() } : {}),
    });
  }

  async #dispatch(channel: string, input: unknown, context: CallContext): Promise<unknown> {
    const route = this.#routes.get(channel);
    if (!route) {
      // Unexpected channel: a renderer built from this contract never sends one.
      this.#logger.warn({ channel: channel.slice(0, 100), senderId: context.senderId }, 'call on an undeclared channel rejected');
      throw new HmsApiError({ code: 'unknown-channel', message: `No API call named "${channel.slice(0, 100)}" exists` });
    }

    const parsed = route.definition.input.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
      throw new HmsApiError({ code: 'invalid-input', message: `Invalid input for ${channel}: ${summary}`, issues });
    }

    const session = this.#currentSession();
    checkAccess(route.definition.access, session, channel);
    if (session && this.#isLocked() && !route.definition.allowedWhileLocked) {
      throw new HmsApiError({ code: 'locked', message: `The workstation is locked; ${session.user.username} must unlock it first` });
    }
    return route.handler(parsed.data, { ...context, session });
  }

  #toErrorBody(channel: string, error: unknown) {
    if (error instanceof HmsApiError) return error.toBody();
    const errorId = randomUUID().slice(0, 8);
    this.#logger.error({ channel, errorId, error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) }, 'service failed');
    return { code: 'internal' as const, message: `${channel} failed unexpectedly; the workstation log has the details under error id ${errorId}` };
  }
}

function checkAccess(access: CallAccess, session: SessionInfo | null, channel: string): void {
  if (access === 'public') return;
  if (!session) throw new HmsApiError({ code: 'unauthenticated', message: `Sign in to use ${channel}` });
  if (access === 'signed-in') return;
  if (!session.user.roles.some((role) => access.includes(role))) {
    throw new HmsApiError({
      code: 'forbidden',
      message: `${channel} needs the role ${access.join(' or ')}; ${session.user.username} has ${session.user.roles.join(', ') || 'no role'}`,
    });
  }
}
