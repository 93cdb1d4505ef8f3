// The storage side of the initial load alone: CPU per document for writing generated vital signs
// panels into an encrypted replica as sync/client/initial-load.ts writes them. It measures the
// replica's write-ahead log and the rollback journal the load switches to, each with and without
// a meta row per document (what RxDB's downstream writes), and the rollback journal in a replica
// of the earlier SQLCipher 4 format. Each variant runs in a child process of its own, in
// interleaved rounds, and the log is checkpointed into the file before the clock stops.
//
//   npm run bench:initial-load-storage -- [--documents 70000] [--rounds 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3-multiple-ciphers';

import type { RxDocumentData, RxStorageReplicationMeta } from 'rxdb';
import { getRxReplicationMetaInstanceSchema } from 'rxdb';

import { toEntryDocument } from '../sync/protocol/documents.js';
import type { WireDocument } from '../sync/protocol/wire.js';
import { buildVitalSignsPanel } from '../sync/protocol/fhir/vital-signs.js';
import { openReplica } from '../sync/replica/replica.js';
import { acquireConnection, releaseConnection } from '../sync/replica/sqlite/connection-pool.js';
import { InitialLoadTarget } from '../sync/replica/sqlite/initial-load-target.js';
import { masterStateRow } from '../sync/replica/sqlite/loaded-copies.js';
import { SqliteStorageInstance } from '../sync/replica/sqlite/sqlite-instance.js';

interface Variant {
  journal: 'wal' | 'rollback';
  metaRows: boolean;
  /** The replica's cipher: the current one, or SQLCipher 4, which replicas created before it keep. */
  cipher: 'aegis' | 'sqlcipher';
}

const VARIANTS: Variant[] = [
  { journal: 'wal', metaRows: false, cipher: 'aegis' },
  { journal: 'rollback', metaRows: false, cipher: 'aegis' },
  { journal: 'rollback', metaRows: false, cipher: 'sqlcipher' },
  { journal: 'wal', metaRows: true, cipher: 'aegis' },
  { journal: 'rollback', metaRows: true, cipher: 'aegis' },
];
const PAGE = 1000;
const KEY = 'b'.repeat(64);

function documents(count: number): WireDocument[] {
  const built: WireDocument[] = [];
  for (let index = 0; index < count; index += 1) {
    const patient = Math.floor(index / 5);
    const panel = buildVitalSignsPanel({
      id: `vitals-${patient}-${index % 5}`,
      patientId: `patient-${patient}`,
      encounterId: `encounter-${patient}`,
      effectiveDateTime: new Date(Date.UTC(2026, 10, 28) + ((index * 7919) % 259_200) * 1000).toISOString(),
      performer: { reference: 'Practitioner/user-nurse', display: 'Demo Nurse' },
      observations: { respiratoryRate: 14 + (index % 8), spo2: 96, systolicBloodPressure: 120, pulse: 60 + (index % 40), temperature: 37.1, onOxygen: false, consciousness: 'A' },
      scale: 1,
    });
    built.push({ ...toEntryDocument(panel), _deleted: false } as WireDocument);
  }
  return built;
}

/**
 * Creates the replica's file in the SQLCipher 4 format, as replicas were created before the AEGIS
 * cipher. The connection pool then opens it in that format, as it opens such a replica.
 */
function createSqlcipherFile(file: string): void {
  const database = new Database(file);
  database.pragma("cipher = 'sqlcipher'");
  database.pragma('legacy = 4');
  database.pragma('legacy_page_size = 8192');
  database.pragma(`key = "x'${KEY}'"`);
  database.pragma('page_size = 8192');
  database.prepare('CREATE TABLE bench_format (cipher TEXT)').run();
  database.close();
}

/** Runs one variant in this process and prints its result as JSON. */
async function runVariant(variant: Variant, count: number): Promise<void> {
  const pulled = documents(count);
  const directory = mkdtempSync(join(tmpdir(), 'hms-load-storage-'));
  const file = join(directory, 'hms-replica.sqlite');
  if (variant.cipher === 'sqlcipher') createSqlcipherFile(file);
  const replica = await openReplica({ directory, key: KEY });
  const database = acquireConnection(file, KEY);
  const cipher = database.pragma('cipher', { simple: true }) as string;
  if (cipher !== variant.cipher) throw new Error(`The replica opened with the ${cipher} cipher instead of ${variant.cipher}`);
  const metaSchema = getRxReplicationMetaInstanceSchema(replica.entries.schema.jsonSchema, false);
  const target = await InitialLoadTarget.open<WireDocument, unknown>({
    storage: replica.storage,
    databaseName: replica.name,
    databaseToken: replica.token,
    collectionName: 'entries',
    schema: replica.entries.schema.jsonSchema as never,
    meta: { collectionName: 'rx-replication-meta-bench', schema: metaSchema as never },
    replication: 'bench',
  });
  const meta = await replica.storage.createStorageInstance<RxStorageReplicationMeta<WireDocument, unknown>>({
    databaseName: replica.name,
    collectionName: 'rx-replication-meta-bench',
    databaseInstanceToken: replica.token,
    multiInstance: false,
    options: {},
    schema: metaSchema as never,
    devMode: false,
  });
  if (!target || !(meta instanceof SqliteStorageInstance)) throw new Error('The replica should be on the SQLite storage');
  const revision = '1-bench';
  const lwt = Date.now() - 1;
  const progress = { checkpoint: null, lwt, lastId: '', stored: 0, done: false, revision };

  if (variant.journal === 'rollback') target.useRollbackJournal();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let start = 0; start < count; start += PAGE) {
    const page = pulled.slice(start, start + PAGE).map((master) => ({ ...master, _attachments: {}, _rev: revision, _meta: { lwt, o: { _rev: 1, hash: 'bench' } } }) as RxDocumentData<WireDocument>);
    await target.write(page, () => true, { ...progress, stored: start + page.length });
    if (variant.metaRows) {
      // RxDB's downstream writes the meta rows in a transaction of their own after the documents.
      database.transaction(() => meta.writeServerCopies(page.map((document) => masterStateRow(document, 'id', { revision, lwt })), 'bench', () => true))();
    }
  }
  if (variant.journal === 'rollback') target.useWriteAheadLog();
  database.pragma('wal_checkpoint(TRUNCATE)');
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;

  await meta.close();
  await target.close();
  releaseConnection(file);
  await replica.close();
  rmSync(directory, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ ...variant, documents: count, cpuMicrosecondsPerDocument: (cpu.user + cpu.system) / count, seconds })}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { documents: { type: 'string', default: '70000' }, rounds: { type: 'string', default: '3' }, variant: { type: 'string' } } });
  const count = Number(values.documents);
  if (values.variant) {
    await runVariant(JSON.parse(values.variant) as Variant, count);
    return;
  }
  const results = new Map<string, number[]>();
  for (let round = 0; round < Number(values.rounds); round += 1) {
    for (const variant of VARIANTS) {
      const output = execFileSync(process.execPath, [...process.execArgv, process.argv[1] as string, '--documents', String(count), '--variant', JSON.stringify(variant)], { encoding: 'utf8' });
      const result = JSON.parse(output.trim().split('\n').at(-1) as string) as Variant & { cpuMicrosecondsPerDocument: number };
      const name = `${variant.journal}${variant.metaRows ? ' + meta rows' : ''}${variant.cipher === 'sqlcipher' ? ', SQLCipher 4' : ''}`;
      results.set(name, [...(results.get(name) ?? []), result.cpuMicrosecondsPerDocument]);
      console.log(`round ${round + 1}: ${name}: ${result.cpuMicrosecondsPerDocument.toFixed(1)} µs of CPU per document`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log(JSON.stringify(Object.fromEntries([...results].map(([name, values]) => [name, Number(median(values).toFixed(1))])), null, 2));
}

await main();
