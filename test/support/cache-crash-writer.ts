// Child process of the study cache's crash test: stores instances of <instance bytes>, sent in
// chunks of 64 KiB like a download, and prints the number of each once putInstance has resolved,
// until it is killed. Instance n is n's low byte repeated, so the parent can check every byte.
// Arguments: <data directory> <first instance number> <instance bytes> <replica key>.
import { join } from 'node:path';

import { pino } from 'pino';

import { StudyCache } from '../../main/core/imaging/study-cache.js';

const CHUNK_BYTES = 64 * 1024;

const [dataDirectory, firstText, instanceBytesText, key] = process.argv.slice(2);
if (!dataDirectory || !firstText || !instanceBytesText || !key) {
  console.error('usage: cache-crash-writer <data directory> <first instance> <instance bytes> <replica key>');
  process.exit(2);
}
const instanceBytes = Number(instanceBytesText);

const cache = await StudyCache.open({
  dataDirectory,
  replicaFile: join(dataDirectory, 'replica.sqlite'),
  replicaKey: key,
  maxBytes: 1024 * 1024 * 1024,
  pinnedPatientIds: () => new Set(),
  logger: pino({ level: 'silent' }),
});

async function* download(instance: number): AsyncIterable<Uint8Array> {
  for (let sent = 0; sent < instanceBytes; sent += CHUNK_BYTES) {
    yield Buffer.alloc(Math.min(CHUNK_BYTES, instanceBytes - sent), instance & 0xff);
    // Waits like a network read, so that a kill lands in the middle of a write.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

for (let instance = Number(firstText); ; instance += 1) {
  const uid = `1.2.826.0.1.3680043.77.${instance}`;
  await cache.putInstance({ patientId: 'P1', studyInstanceUid: `${uid}.0`, seriesInstanceUid: `${uid}.1`, sopInstanceUid: `${uid}.2` }, download(instance));
  // The acknowledgement: printed only after the cache reported the instance stored.
  process.stdout.write(`${instance}\n`);
}
