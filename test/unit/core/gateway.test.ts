import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';

import type { SessionInfo } from '../../../preload/api/schemas.js';
import { listCalls } from '../../../preload/api/contract.js';
import type { Role } from '../../../preload/api/roles.js';
import { ROLES } from '../../../preload/api/roles.js';
import type { ServiceHandlers } from '../../../main/core/gateway.js';
import { ApiGateway } from '../../../main/core/gateway.js';

const silentLogger = pino({ level: 'silent' });

function sessionWithRoles(roles: Role[]): SessionInfo {
  return {
    user: { id: 'u1', username: 'tester', displayName: 'Test User', roles },
    ward: { id: 'ward-4a', name: 'Ward 4A' },
    workstationId: 'ws-test',
    signedInAt: '2026-12-04T09:00:00.000Z',
    mode: 'online',
    lockAfterMinutes: 10,
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
      current: record('session:current', { session: null, locked: false, lockAt: null }),
      serverReachable: record('session:serverReachable', { reachable: true }),
      unlock: record('session:unlock', sessionWithRoles(['nurse'])),
      activity: record('session:activity', { lockAt: null }),
    },
    ward: {
      listPatients: record('ward:listPatients', [{ patientId: 'p-1' }, { patientId: 'p-2' }]),
      enrolment: record('ward:enrolment', { kind: 'ward' }),
    },
    patient: {
      search: record('patient:search', []),
      breakTheGlass: record('patient:breakTheGlass', {}),
      getChart: record('patient:getChart', {}),
      setSpO2Scale: record('patient:setSpO2Scale', {}),
      getContact: record('patient:getContact', {}),
      updateContact: record('patient:updateContact', { patientId: 'p-1' }),
    },
    vitals: { list: record('vitals:list', []), record: record('vitals:record', { id: 'obs-1' }) },
    sync: {
      status: record('sync:status', { state: 'online', pendingChanges: 0, lastSuccessfulSyncAt: null, lastError: null }),
      listConflicts: record('sync:listConflicts', [{ id: 1, patientId: 'p-3' }]),
      resolveConflict: record('sync:resolveConflict', { id: 1, patientId: 'p-3' }),
      listRejected: record('sync:listRejected', []),
      resendRejected: record('sync:resendRejected', { documentId: 'Observation/o-1', patientId: 'p-4' }),
    },
    settings: {
      effective: record('settings:effective', { settings: [], problems: [] }),
      update: record('settings:update', { settings: [], problems: [] }),
    },
    diagnostics: {
      summary: record('diagnostics:summary', {}),
      export: record('diagnostics:export', { path: '/data/diagnostics/bundle.tar.gz', bytes: 1, entries: [] }),
    },
    scan: {
      settings: record('scan:settings', {}),
      scanners: record('scan:scanners', []),
      reportWedgeScan: record('scan:reportWedgeScan', null),
    },
    lab: {
      connections: record('lab:connections', []),
      recentMessages: record('lab:recentMessages', []),
      message: record('lab:message', {}),
      reviewQueue: record('lab:reviewQueue', []),
      matchReview: record('lab:matchReview', {}),
      releaseReview: record('lab:releaseReview', {}),
      rejectReview: record('lab:rejectReview', {}),
      specimen: record('lab:specimen', null),
    },
    imaging: {
      listStudies: record('imaging:listStudies', []),
      getStudy: record('imaging:getStudy', {}),
      cacheStudy: record('imaging:cacheStudy', {}),
      prefetchStatus: record('imaging:prefetchStatus', null),
      cacheJobs: record('imaging:cacheJobs', []),
    },
    medication: {
      mar: record('medication:mar', {}),
      check: record('medication:check', {}),
      administer: record('medication:administer', {}),
      hold: record('medication:hold', {}),
    },
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

describe('ApiGateway roles for every call', () => {
  const restricted = listCalls().filter((definition) => Array.isArray(definition.access));

  it('declares the access of every call', () => {
    for (const definition of listCalls()) {
      expect(definition.access === 'public' || definition.access === 'signed-in' || (Array.isArray(definition.access) && definition.access.length > 0)).toBe(true);
    }
    expect(restricted.length).toBeGreaterThan(5);
  });

  it.each(restricted.map((definition) => [definition.channel, definition] as const))('refuses %s to a role it does not allow', async (channel, definition) => {
    const refusedRole = ROLES.find((role) => !(definition.access as readonly string[]).includes(role));
    if (!refusedRole) throw new Error(`${channel} allows every role; declare it 'signed-in' instead`);
    const { gateway, calls } = gatewayFor(sessionWithRoles([refusedRole]));

    const result = await gateway.handle(channel, VALID_INPUTS[channel] ?? {}, context);

    expect(result.ok ? null : result.error.code).toBe('forbidden');
    expect(calls).toEqual([]);
  });
});

/** A valid input of each role-restricted call, so that only the role can make it fail. */
const VALID_INPUTS: Record<string, unknown> = {
  'ward:listPatients': {},
  'patient:search': { query: 'muller' },
  'patient:breakTheGlass': { patientId: 'p-9', reason: 'Cardiac arrest call on the corridor' },
  'patient:getChart': { patientId: 'p-1' },
  'patient:setSpO2Scale': { patientId: 'p-1', scale: 2 },
  'vitals:list': { patientId: 'p-1' },
  'vitals:record': validVitals,
  'patient:getContact': { patientId: 'p-1' },
  'patient:updateContact': { patientId: 'p-1', phone: '07700 900123', nextOfKin: null },
  'sync:listConflicts': {},
  'sync:resolveConflict': { id: 1, decision: 'keep-mine' },
  'sync:listRejected': {},
  'sync:resendRejected': { collection: 'entries', documentId: 'Observation/o-1' },
  'lab:message': { messageId: 'message-1' },
  'lab:matchReview': { reviewId: 'review-1', accession: 'ACC-0001' },
  'lab:releaseReview': { reviewId: 'review-1' },
  'lab:rejectReview': { reviewId: 'review-1', reason: 'Haemolysed sample' },
  'lab:specimen': { accession: 'S1234' },
  'settings:update': { key: 'inactivityLockMinutes', value: 5 },
  'medication:mar': { patientId: 'p-1' },
  'medication:check': { patientId: 'p-1', wristbandMrn: '10000001', scan: ']d20109520123456788' },
  'medication:administer': { patientId: 'p-1', wristbandMrn: '10000001', scan: ']d20109520123456788', orderId: 'order-1', scheduledAt: '2026-12-04T12:00:00.000Z' },
  'medication:hold': { patientId: 'p-1', orderId: 'order-1', scheduledAt: '2026-12-04T12:00:00.000Z', reason: 'patient-refused' },
  'imaging:listStudies': { patientId: 'p-1' },
  'imaging:getStudy': { studyInstanceUid: '1.2.840.113619.2.1' },
  'imaging:cacheStudy': { studyInstanceUid: '1.2.840.113619.2.1', patientId: 'p-1' },
};

describe('ApiGateway lock and audit', () => {
  function lockedGateway(locked: boolean) {
    const { handlers, calls } = spyHandlers();
    const audit = { apiCall: vi.fn(async () => undefined) };
    const gateway = new ApiGateway({
      handlers,
      currentSession: () => sessionWithRoles(['nurse']),
      isLocked: () => locked,
      audit: audit as never,
      logger: silentLogger,
    });
    return { gateway, calls, audit };
  }

  it('refuses patient data while locked but lets unlock through', async () => {
    const { gateway, calls } = lockedGateway(true);

    const list = await gateway.handle('ward:listPatients', {}, context);
    const unlock = await gateway.handle('session:unlock', { password: 'secret' }, context);

    expect(list.ok ? null : list.error.code).toBe('locked');
    expect(unlock.ok).toBe(true);
    expect(calls).toEqual(['session:unlock']);
  });

  it('audits a read of patient data with every patient it returned', async () => {
    const { gateway, audit } = lockedGateway(false);

    await gateway.handle('ward:listPatients', {}, context);

    expect(audit.apiCall).toHaveBeenCalledWith({ channel: 'ward:listPatients', action: 'R', outcome: '0', user: { id: 'u1', name: 'tester' }, patientIds: ['p-1', 'p-2'] });
  });

  it('audits a write as a create and a refused call as a failure', async () => {
    const { gateway, audit } = lockedGateway(false);

    await gateway.handle('vitals:record', validVitals, context);
    await gateway.handle('vitals:record', { patientId: 'p-1', observations: {} }, context);

    expect(audit.apiCall).toHaveBeenNthCalledWith(1, expect.objectContaining({ channel: 'vitals:record', action: 'C', outcome: '0', patientIds: ['p-1'] }));
    expect(audit.apiCall).toHaveBeenNthCalledWith(2, expect.objectContaining({ outcome: '4', failure: expect.stringMatching(/^invalid-input: /) }));
  });

  it('records the reason of emergency access and refuses it without one', async () => {
    const { gateway, audit, calls } = lockedGateway(false);

    const refused = await gateway.handle('patient:breakTheGlass', { patientId: 'p-9', reason: '  ' }, context);
    await gateway.handle('patient:breakTheGlass', { patientId: 'p-9', reason: 'Cardiac arrest call on the corridor' }, context);

    expect(refused.ok ? null : refused.error.code).toBe('invalid-input');
    expect(calls).toEqual(['patient:breakTheGlass']);
    expect(audit.apiCall).toHaveBeenLastCalledWith(expect.objectContaining({ outcome: '0', breakTheGlassReason: 'Cardiac arrest call on the corridor', patientIds: ['p-9'] }));
  });

  it('does not audit calls without patient data', async () => {
    const { gateway, audit } = lockedGateway(false);

    await gateway.handle('sync:status', {}, context);
    await gateway.handle('session:activity', {}, context);

    expect(audit.apiCall).not.toHaveBeenCalled();
  });
});

describe('ApiGateway contact edits and sync review', () => {
  function auditedGateway(roles: Role[]) {
    const { handlers, calls } = spyHandlers();
    const audit = { apiCall: vi.fn(async () => undefined) };
    const gateway = new ApiGateway({ handlers, currentSession: () => sessionWithRoles(roles), audit: audit as never, logger: silentLogger });
    return { gateway, calls, audit };
  }

  it('audits a contact edit as an update of the patient', async () => {
    const { gateway, audit } = auditedGateway(['doctor']);

    const result = await gateway.handle('patient:updateContact', VALID_INPUTS['patient:updateContact'], context);

    expect(result.ok).toBe(true);
    expect(audit.apiCall).toHaveBeenCalledWith(expect.objectContaining({ channel: 'patient:updateContact', action: 'U', outcome: '0', patientIds: ['p-1'] }));
  });

  it('rejects an invalid phone number and reaches no service', async () => {
    const { gateway, calls } = auditedGateway(['nurse']);

    const letters = await gateway.handle('patient:updateContact', { patientId: 'p-1', phone: 'call me', nextOfKin: null }, context);
    const nameless = await gateway.handle('patient:updateContact', { patientId: 'p-1', phone: null, nextOfKin: { name: ' ', relationship: '', phone: null } }, context);

    expect(letters.ok ? [] : letters.error.issues?.map((issue) => issue.path)).toEqual(['phone']);
    expect(nameless.ok ? [] : nameless.error.issues?.map((issue) => issue.path)).toEqual(['nextOfKin.name']);
    expect(calls).toEqual([]);
  });

  it('audits a conflict decision and a resend with the patient of their result', async () => {
    const { gateway, audit } = auditedGateway(['nurse']);

    await gateway.handle('sync:resolveConflict', { id: 1, decision: 'keep-mine' }, context);
    await gateway.handle('sync:resendRejected', VALID_INPUTS['sync:resendRejected'], context);
    await gateway.handle('sync:listConflicts', {}, context);

    expect(audit.apiCall).toHaveBeenNthCalledWith(1, expect.objectContaining({ channel: 'sync:resolveConflict', action: 'U', patientIds: ['p-3'] }));
    expect(audit.apiCall).toHaveBeenNthCalledWith(2, expect.objectContaining({ channel: 'sync:resendRejected', action: 'U', patientIds: ['p-4'] }));
    expect(audit.apiCall).toHaveBeenNthCalledWith(3, expect.objectContaining({ channel: 'sync:listConflicts', action: 'R', patientIds: ['p-3'] }));
  });

  it('rejects an unknown decision', async () => {
    const { gateway, calls } = auditedGateway(['nurse']);

    const result = await gateway.handle('sync:resolveConflict', { id: 1, decision: 'merge' }, context);

    expect(result.ok ? null : result.error.code).toBe('invalid-input');
    expect(calls).toEqual([]);
  });

  it('leaves the review to ward clinicians', async () => {
    const { gateway, calls } = auditedGateway(['pharmacist']);

    const listed = await gateway.handle('sync:listConflicts', {}, context);
    const contact = await gateway.handle('patient:getContact', { patientId: 'p-1' }, context);

    expect(listed.ok ? null : listed.error.code).toBe('forbidden');
    expect(contact.ok).toBe(true);
    expect(calls).toEqual(['patient:getContact']);
  });
});
