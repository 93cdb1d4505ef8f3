import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';

import type { SessionInfo } from '../../../preload/api/schemas.js';
import type { Role } from '../../../preload/api/roles.js';
import type { ServiceHandlers } from '../../../main/core/gateway.js';
import { ApiGateway } from '../../../main/core/gateway.js';

const silentLogger = pino({ level: 'silent' });

function sessionWithRoles(roles: Role[]): SessionInfo {
  return {
    user: { id: 'u1', username: 'tester', displayName: 'Test User', roles },
    ward: { id: 'ward-4a', name: 'Ward 4A' },
    workstationId: 'ws-test',
    signedInAt: '2026-12-04T09:00:00.000Z',
  };
}

/** Handlers that record their calls; any call reaching one is visible in `calls`. */
function spyHandlers() {
  const calls: string[] = [];
  const record = (channel: string, value: unknown) =>
    vi.fn(async () => {
      calls.push(channel);
      return value as never;
    });
  const handlers = {
    session: {
      signIn: record('session:signIn', sessionWithRoles(['nurse'])),
      signOut: record('session:signOut', null),
      current: record('session:current', null),
    },
    ward: { listPatients: record('ward:listPatients', []) },
    patient: { getChart: record('patient:getChart', {}), setSpO2Scale: record('patient:setSpO2Scale', {}) },
    vitals: { list: record('vitals:list', []), record: record('vitals:record', { id: 'obs-1' }) },
    sync: { status: record('sync:status', { state: 'online', pendingChanges: 0, lastSuccessfulSyncAt: null, lastError: null }) },
  } satisfies ServiceHandlers;
  return { handlers, calls };
}

function gatewayFor(session: SessionInfo | null) {
  const { handlers, calls } = spyHandlers();
  const gateway = new ApiGateway({ handlers, currentSession: () => session, logger: silentLogger });
  return { gateway, calls, handlers };
}

const context = { senderId: 'test-sender' };
const validVitals = { patientId: 'p-1', observations: { pulse: 88, respiratoryRate: 18 } };

describe('ApiGateway', () => {
  it('passes a valid call with an allowed role to its service', async () => {
    const { gateway, calls, handlers } = gatewayFor(sessionWithRoles(['nurse']));

    const result = await gateway.handle('vitals:record', validVitals, context);

    expect(result).toEqual({ ok: true, value: { id: 'obs-1' } });
    expect(calls).toEqual(['vitals:record']);
    expect(handlers.vitals.record).toHaveBeenCalledWith(validVitals, expect.objectContaining({ senderId: 'test-sender' }));
  });

  it('rejects invalid input with the field and reaches no service', async () => {
    const { gateway, calls } = gatewayFor(sessionWithRoles(['nurse']));

    const result = await gateway.handle('vitals:record', { patientId: 'p-1', observations: { pulse: 72.5 } }, context);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-input');
    expect(result.error.issues).toEqual([{ path: 'observations.pulse', message: 'Pulse must be a whole number' }]);
    expect(result.error.message).toContain('observations.pulse');
    expect(calls).toEqual([]);
  });

  it('rejects fields the contract does not declare', async () => {
    const { gateway, calls } = gatewayFor(sessionWithRoles(['nurse']));

    const result = await gateway.handle('vitals:record', { ...validVitals, recordedBy: 'someone else' }, context);

    expect(result.ok ? null : result.error.code).toBe('invalid-input');
    expect(calls).toEqual([]);
  });

  it('rejects a role the call does not allow and reaches no service', async () => {
    const { gateway, calls } = gatewayFor(sessionWithRoles(['pharmacist']));

    const result = await gateway.handle('vitals:record', validVitals, context);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('forbidden');
    expect(result.error.message).toBe('vitals:record needs the role nurse or doctor; tester has pharmacist');
    expect(calls).toEqual([]);
  });

  it('lets only doctors set the SpO2 scale', async () => {
    const nurse = gatewayFor(sessionWithRoles(['nurse']));
    const doctor = gatewayFor(sessionWithRoles(['doctor']));
    const input = { patientId: 'p-1', scale: 2 };

    expect((await nurse.gateway.handle('patient:setSpO2Scale', input, context)).ok).toBe(false);
    expect((await doctor.gateway.handle('patient:setSpO2Scale', input, context)).ok).toBe(true);
    expect(nurse.calls).toEqual([]);
  });

  it('rejects calls without a session except public ones', async () => {
    const { gateway, calls } = gatewayFor(null);

    const list = await gateway.handle('ward:listPatients', {}, context);
    const signIn = await gateway.handle('session:signIn', { username: 'nurse', password: 'secret' }, context);

    expect(list.ok ? null : list.error.code).toBe('unauthenticated');
    expect(signIn.ok).toBe(true);
    expect(calls).toEqual(['session:signIn']);
  });

  it('rejects an undeclared channel', async () => {
    const { gateway, calls } = gatewayFor(sessionWithRoles(['it-administrator']));

    const result = await gateway.handle('replica:dropAll', {}, context);

    expect(result).toEqual({ ok: false, error: { code: 'unknown-channel', message: 'No API call named "replica:dropAll" exists' } });
    expect(calls).toEqual([]);
  });

  it('turns an unexpected service error into an internal error with an id', async () => {
    const { handlers } = spyHandlers();
    handlers.ward.listPatients.mockRejectedValueOnce(new Error('disk I/O error'));
    const gateway = new ApiGateway({ handlers, currentSession: () => sessionWithRoles(['nurse']), logger: silentLogger });

    const result = await gateway.handle('ward:listPatients', {}, context);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('internal');
    expect(result.error.message).toMatch(/^ward:listPatients failed unexpectedly; the workstation log has the details under error id [0-9a-f]{8}$/);
  });
});
