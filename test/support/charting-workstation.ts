// Child process of the workstation kill test: a workstation core on a data folder, signed in as the
// demo nurse. Arguments: <data folder> <replica name> <workstation id> <server URL> <mode> <seed>.
//
// Mode `chart` records vital signs sets in a loop until the process is killed, and prints
// {"event":"confirmed","id":...} once vitals:record has resolved for a set. Mode `settle` records
// nothing: it waits until the workstation has sent what it can (see settle), prints
// {"event":"settled",...} with the sync state and counts, closes the core and exits with status 0.
// Both print {"event":"ready"} after the sign-in. Output is JSON lines of ids and counts only.
import { pino } from 'pino';

import { createCore } from '../../main/core/core.js';
import { lockDataDirectory } from '../../main/core/data-directory-lock.js';
import type { CallResultOf } from '../../preload/api/contract.js';
import { useRxdbDevMode, validatedSqliteStorage } from './replica.js';
import { integerBetween, seededRandom } from './seeded-random.js';
import { waitFor } from './waiting.js';

/** A ward of the demo seed. */
const WARD_ID = 'ward-4a';
/** Maximum wait in settle mode for the workstation to go online and send everything. */
const SETTLE_TIMEOUT_MS = 30_000;
/** How long an unchanged pending count, online and in sync, counts as stuck rather than still sending. */
const QUIET_MS = 2_000;

const [directory, replicaName, workstationId, serverUrl, mode, seedText] = process.argv.slice(2);
if (!directory || !replicaName || !workstationId || !serverUrl || (mode !== 'chart' && mode !== 'settle') || !seedText) {
  console.error('usage: charting-workstation <data folder> <replica name> <workstation id> <server URL> chart|settle <seed>');
  process.exit(2);
}
const senderId: string = workstationId;

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

// The hosts lock the data folder the same way. A killed run leaves its lock for the next run to take over.
const lock = lockDataDirectory(directory);
useRxdbDevMode();
const core = await createCore({
  settings: { workstationId, serverUrl, wardId: WARD_ID },
  dataDirectory: directory,
  replicaName,
  logger: pino({ level: process.env.HMS_TEST_LOG_LEVEL ?? 'silent' }),
  storage: validatedSqliteStorage(directory),
  connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 400 },
  // Small batches, so that a kill often lands while a push is on its way.
  sync: { pushBatchSize: 10, retry: { minDelayMs: 100, maxDelayMs: 1_000 } },
});

async function call<T>(channel: string, input: unknown): Promise<T> {
  const result = await core.gateway.handle(channel, input, { senderId });
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

await call('session:signIn', { username: 'nurse', password: 'nurse-demo' });

if (mode === 'settle') {
  print({ event: 'ready' });
  await settle();
  const { state, pendingChanges, rejectedChanges, openConflicts } = core.replication.status$.getValue();
  print({ event: 'settled', state, pendingChanges, rejectedChanges, openConflicts });
  await core.close();
  lock.release();
  process.exit(0);
}

/**
 * Waits until the workstation is online and in sync with nothing pending, or with a pending count
 * that has not moved for QUIET_MS while online and in sync, so that the parent can tell which
 * writes stay pending for good. Gives up after SETTLE_TIMEOUT_MS.
 */
async function settle(): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let lastPending = -1;
  let unchangedSince = Date.now();
  while (Date.now() < deadline) {
    await core.replication.awaitInSync();
    const { state, pendingChanges } = core.replication.status$.getValue();
    if (state !== 'online' || pendingChanges !== lastPending) {
      lastPending = pendingChanges;
      unchangedSince = Date.now();
    } else if (pendingChanges === 0 || Date.now() - unchangedSince >= QUIET_MS) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// On the first start the ward's patients arrive with the initial sync.
await waitFor(core.replication.status$, (value) => value.state === 'online', 'online', SETTLE_TIMEOUT_MS);
await core.replication.awaitInSync();
const patients = (await call<CallResultOf<'ward', 'listPatients'>>('ward:listPatients', {})).map((row) => row.patientId);
if (patients.length === 0) {
  console.error(`no patients on ${WARD_ID} after the sync`);
  process.exit(3);
}
print({ event: 'ready' });

const random = seededRandom(Number(seedText));
for (;;) {
  const patientId = patients[integerBetween(random, 0, patients.length - 1)] as string;
  const set = await call<CallResultOf<'vitals', 'record'>>('vitals:record', { patientId, observations: { pulse: integerBetween(random, 50, 120) } });
  print({ event: 'confirmed', id: `Observation/${set.id}` });
  await new Promise((resolve) => setTimeout(resolve, integerBetween(random, 0, 10)));
}
