import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LabArchive } from '../../../main/core/lab/lab-archive.js';
import { makeTempDirectory } from '../../support/replica.js';

describe('lab archive', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let archive: LabArchive;
  let now: Date;

  beforeEach(() => {
    directory = makeTempDirectory('lab-archive');
    now = new Date('2026-11-01T08:00:00Z');
    archive = new LabArchive(join(directory.path, 'replica.sqlite'), undefined, { now: () => now });
  });

  afterEach(() => {
    archive.close();
    directory.remove();
  });

  it('prunes only journal chunks older than the cut-off', () => {
    archive.journal('bench-1', 'in', Buffer.from([0x05]));
    now = new Date('2026-12-01T08:00:00Z');
    archive.journal('bench-1', 'out', Buffer.from([0x06]));

    expect(archive.pruneWire(new Date('2026-11-15T00:00:00Z'))).toBe(1);
    expect(archive.wire('bench-1').map((chunk) => chunk.direction)).toEqual(['out']);
  });

  it('marks a message sent again as a repeat', () => {
    const first = archive.archive('bench-1', 'astm', Buffer.from('H|\\^&\rL|1\r'));
    const second = archive.archive('bench-1', 'astm', Buffer.from('H|\\^&\rL|1\r'));

    expect(first.repeatOf).toBeNull();
    expect(second.repeatOf).toBe(first.id);
  });

  it('lists messages left unsettled', () => {
    const settled = archive.archive('bench-1', 'hl7', Buffer.from('MSH|^~\\&|A\r'));
    const left = archive.archive('bench-1', 'hl7', Buffer.from('MSH|^~\\&|B\r'));
    archive.settle(settled.id, 'stored', { documentIds: ['Observation/o-1'] });

    expect(archive.unsettled().map((message) => message.id)).toEqual([left.id]);
    expect(archive.get(settled.id)?.detail.documentIds).toEqual(['Observation/o-1']);
  });
});
