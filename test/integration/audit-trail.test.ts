import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Core } from '../../main/core/core.js';
import { createCore } from '../../main/core/core.js';
import type { CallResultOf } from '../../preload/api/contract.js';
import type { SyncServer } from '../../sync/server/app.js';
import { createServer } from '../../sync/server/app.js';
import type { TestDatabase } from '../support/postgres.js';
import { createTestDatabase } from '../support/postgres.js';
import { makeTempDirectory, useRxdbDevMode, validatedSqliteStorage } from '../support/replica.js';
import { waitFor } from '../support/waiting.js';

interface StoredAudit {
  subtype: string;
  action: string;
  outcome: string;
  who: string | null;
  patients: string[];
  reason: string | null;
}

/** A sample of calls on a real PostgreSQL: each leaves the AuditEvent it should, and they reach the server. */
describe('audit trail', () => {
  let database: TestDatabase;
  let server: SyncServer;
  const workstations: { core: Core; directory: ReturnType<typeof makeTempDirectory> }[] = [];

  async function openWorkstation(name: string): Promise<Core> {
    useRxdbDevMode();
    const directory = makeTempDirectory(name);
    const core = await createCore({
      settings: { workstationId: name, serverUrl: server.url, wardId: 'ward-4a' },
      dataDirectory: directory.path,
      replicaName: `replica-${name}`,
      logger: pino({ level: 'silent' }),
      storage: validatedSqliteStorage(directory.path),
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 300 },
    });
    workstations.push({ core, directory });
    return core;
  }

  async function call<T>(core: Core, channel: string, input: unknown): Promise<T> {
    const result = await core.gateway.handle(channel, input, { senderId: 'audit-test' });
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value as T;
  }

  async function synced(core: Core): Promise<void> {
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'in sync');
    await core.replication.awaitInSync();
  }

  async function storedAudits(workstationId: string): Promise<StoredAudit[]> {
    const rows = await server.database.query<{ resource: Record<string, unknown> }>(
      "SELECT document->'resource' AS resource FROM documents WHERE collection = 'entries' AND resource_type = 'AuditEvent' AND document->'resource'->'source'->'observer'->>'display' = $1 ORDER BY document->'resource'->>'recorded'",
      [workstationId],
    );
    return rows.rows.map(({ resource }) => {
      const agent = (resource.agent as { who?: { reference?: string; display?: string } }[])[0];
      const entities = (resource.entity as { what: { reference: string } }[] | undefined) ?? [];
      const purpose = (resource.purposeOfEvent as { text?: string }[] | undefined)?.[0];
      return {
        subtype: (resource.subtype as { code: string }[])[0]?.code ?? '',
        action: resource.action as string,
        outcome: resource.outcome as string,
        who: agent?.who?.reference ?? agent?.who?.display ?? null,
        patients: entities.map((entity) => entity.what.reference.replace('Patient/', '')),
        reason: purpose?.text ?? null,
      };
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase('audit');
    server = await createServer({ databaseUrl: database.url, seed: true, logLevel: 'silent' });
  });

  afterAll(async () => {
    for (const { core, directory } of workstations) {
      await core.close();
      directory.remove();
    }
    await server?.close();
    await database?.drop();
  });

  it('records sign-ins, reads, writes and failures, and delivers them to PostgreSQL', async () => {
    const core = await openWorkstation('ws-audit');
    await expect(call(core, 'session:signIn', { username: 'nurse', password: 'not-the-password' })).rejects.toThrow('Username or password is incorrect');
    await call(core, 'session:signIn', { username: 'nurse', password: 'nurse-demo' });
    await synced(core);
    const rows = await call<CallResultOf<'ward', 'listPatients'>>(core, 'ward:listPatients', {});
    const patientId = rows[0]?.patientId as string;
    await call(core, 'patient:getChart', { patientId });
    await call(core, 'vitals:record', { patientId, observations: { pulse: 81 } });
    await expect(call(core, 'patient:setSpO2Scale', { patientId, scale: 2 })).rejects.toThrow(/needs the role doctor/);
    await call(core, 'session:signOut', {});
    await synced(core);

    const audits = await storedAudits('ws-audit');

    expect(audits.map((audit) => [audit.subtype, audit.action, audit.outcome])).toEqual([
      ['110122', 'E', '4'],
      ['110122', 'E', '0'],
      ['ward:listPatients', 'R', '0'],
      ['patient:getChart', 'R', '0'],
      ['vitals:record', 'C', '0'],
      ['patient:setSpO2Scale', 'C', '4'],
      ['110123', 'E', '0'],
    ]);
    expect(audits[0]?.who).toBe('nurse');
    expect(audits[1]?.who).toBe('Practitioner/user-nurse');
    expect(audits[2]?.patients.sort()).toEqual(rows.map((row) => row.patientId).sort());
    expect(audits[3]?.patients).toEqual([patientId]);
    expect(audits[4]?.patients).toEqual([patientId]);
  });

  it('keeps audit events from being changed at the workstation', async () => {
    const core = workstations[0]?.core as Core;
    const [audit] = await core.replica.entries.find({ selector: { resourceType: 'AuditEvent' }, limit: 1 }).exec();
    if (!audit) throw new Error('no AuditEvent in the replica');

    await expect(audit.incrementalPatch({ patientId: 'someone-else' })).rejects.toThrow(/cannot be changed at the workstation/);
    await expect(audit.remove()).rejects.toThrow(/cannot be deleted at the workstation/);
  });

  it('never sends audit events down to a workstation', async () => {
    const other = await openWorkstation('ws-audit-other');
    await call(other, 'session:signIn', { username: 'doctor', password: 'doctor-demo' });
    await synced(other);

    const ownAudits = await other.replica.entries.find({ selector: { resourceType: 'AuditEvent' } }).exec();
    const observers = new Set(ownAudits.map((document) => (document.resource.source as { observer: { display: string } }).observer.display));
    expect([...observers]).toEqual(['ws-audit-other']);
  });

  it('refuses emergency access without a reason and records one with it', async () => {
    const core = await openWorkstation('ws-btg');
    await call(core, 'session:signIn', { username: 'doctor', password: 'doctor-demo' });
    await synced(core);
    const [otherWard] = (await server.database.query<{ patient_id: string }>("SELECT patient_id FROM ward_membership WHERE ward_id = 'ward-7b' ORDER BY patient_id LIMIT 1")).rows;
    const patientId = otherWard?.patient_id as string;

    await expect(call(core, 'patient:breakTheGlass', { patientId, reason: 'urgent' })).rejects.toMatchObject({ code: 'invalid-input' });
    const chart = await call<CallResultOf<'patient', 'breakTheGlass'>>(core, 'patient:breakTheGlass', { patientId, reason: 'Collapsed in the corridor outside 4A' });
    await synced(core);

    expect(chart.access).toBe('emergency');
    expect(chart.emergencyAccess?.reason).toBe('Collapsed in the corridor outside 4A');
    const audits = await storedAudits('ws-btg');
    const emergency = audits.filter((audit) => audit.subtype === 'patient:breakTheGlass');
    expect(emergency.map((audit) => [audit.outcome, audit.reason, audit.patients])).toEqual([
      ['4', null, [patientId]],
      ['0', 'Collapsed in the corridor outside 4A', [patientId]],
    ]);
    expect(await core.replica.records.findOne(`Patient/${patientId}`).exec()).toBeNull();
  });
});
