// Child process of the initial load kill test: a workstation core on an encrypted replica, signed
// in as the demo nurse, whose initial load pulls pages of 3 documents. It prints {"event":"page"}
// after each page it pulled and {"event":"synced"} once every collection is in sync, then closes.
// Arguments: <data folder> <replica name> <server URL> <replica key>. Output: JSON lines, no data.
import { pino } from 'pino';

import { createCore } from '../../main/core/core.js';
import { lockDataDirectory } from '../../main/core/data-directory-lock.js';
import { useRxdbDevMode, validatedSqliteStorage } from './replica.js';
import { waitFor } from './waiting.js';

const [directory, replicaName, serverUrl, key] = process.argv.slice(2);
if (!directory || !replicaName || !serverUrl || !key) {
  console.error('usage: loading-workstation <data folder> <replica name> <server URL> <replica key>');
  process.exit(2);
}

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

// Pages pulled, read from the replication's own debug line of each page.
const logger = pino(
  { level: 'debug' },
  {
    write(line: string) {
      if (line.includes('pulled for the initial load')) print({ event: 'page' });
    },
  },
);

const lock = lockDataDirectory(directory);
useRxdbDevMode();
const core = await createCore({
  settings: { workstationId: 'ws-kill-load', serverUrl, wardId: 'ward-4a' },
  dataDirectory: directory,
  replicaName,
  replicaKey: key,
  logger,
  storage: validatedSqliteStorage(directory, key),
  sync: { initialLoadPageSize: 3, retry: { minDelayMs: 100, maxDelayMs: 1_000 } },
});
const signedIn = await core.gateway.handle('session:signIn', { username: 'nurse', password: 'nurse-demo' }, { senderId: 'kill-load' });
if (!signedIn.ok) {
  console.error(`sign-in failed: ${signedIn.error.code}`);
  process.exit(3);
}
await waitFor(core.replication.status$, (status) => status.state === 'online' && status.initialSync === null, 'the initial sync to end', 60_000);
await core.replication.awaitInSync();
print({ event: 'synced' });
await core.close();
lock.release();
process.exit(0);
