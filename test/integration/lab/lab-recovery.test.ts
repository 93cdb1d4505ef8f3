import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

import { encodeMessageFrames } from '../../../devices/astm/index.js';
import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import { LabArchive } from '../../../main/core/lab/lab-archive.js';
import type { HeldGroup } from '../../../main/core/lab/lab-service.js';
import { ReviewQueue } from '../../../main/core/lab/review-queue.js';
import { DEFAULT_REPLICA_NAME } from '../../../sync/replica/replica.js';
import { c311RecordText } from '../../support/lab-bench.js';
import { makeTempDirectory } from '../../support/replica.js';

/**
 * A stop between archiving a message and handling it leaves the message archived as received. The
 * next start handles it from its archived frames.
 */
describe('lab messages left unhandled by a stop', () => {
  const directory = makeTempDirectory('lab-recovery');
  let core: Core | undefined;

  afterAll(async () => {
    await core?.close();
    directory.remove();
  });

  it('handles them at the next start', async () => {
    const archive = new LabArchive(join(directory.path, `${DEFAULT_REPLICA_NAME}.sqlite`));
    const frames = Buffer.concat(encodeMessageFrames(Buffer.from(c311RecordText(), 'latin1')));
    const left = archive.archive('roche-cobas-c311', 'astm', frames);
    archive.close();

    core = await createCore({
      // No server runs: the Specimen is unknown here, so the results wait for review.
      settings: { workstationId: 'ws-lab-recovery', serverUrl: 'http://127.0.0.1:9', wardId: 'lab-core', lab: { connections: [] } },
      dataDirectory: directory.path,
      logger: pino({ level: 'silent' }),
      labTimeZone: 'UTC',
    });
    // Lab calls need a signed-in lab technician, which needs a server: read the replica file instead.
    await core.close();
    core = undefined;
    const reopened = new LabArchive(join(directory.path, `${DEFAULT_REPLICA_NAME}.sqlite`));
    const queue = new ReviewQueue<HeldGroup>(join(directory.path, `${DEFAULT_REPLICA_NAME}.sqlite`));
    const message = reopened.get(left.id);
    const held = queue.list('waiting');
    reopened.close();
    queue.close();

    expect(message?.outcome).toBe('review');
    expect(held).toHaveLength(1);
    expect(held[0]?.messageId).toBe(left.id);
    expect(held[0]?.reasons).toEqual(['unknown-accession']);
    expect(held[0]?.group.group.accession).toBe('CL-PL-24-0370');
    expect(held[0]?.group.group.results).toHaveLength(7);
  });
});
