import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ReviewQueue } from '../../../main/core/lab/review-queue.js';
import { makeTempDirectory } from '../../support/replica.js';

interface Group {
  accession: string;
}

describe('lab review queue', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let file: string;
  let queue: ReviewQueue<Group>;
  let now: Date;

  beforeEach(() => {
    directory = makeTempDirectory('review-queue');
    file = join(directory.path, 'replica.sqlite');
    now = new Date('2026-12-05T08:00:00Z');
    queue = new ReviewQueue<Group>(file, undefined, { now: () => now });
  });

  afterEach(() => {
    queue.close();
    directory.remove();
  });

  it('lists waiting items oldest first', () => {
    const first = queue.add('message-1', 'bench-1', ['no-accession'], { accession: '' });
    now = new Date('2026-12-05T08:05:00Z');
    const second = queue.add('message-2', 'bench-1', ['critical-flag'], { accession: 'ACC-2' });

    expect(queue.list('waiting').map((item) => item.id)).toEqual([first.id, second.id]);
    expect(queue.countWaiting()).toBe(2);
    expect(queue.get(second.id)?.group).toEqual({ accession: 'ACC-2' });
  });

  it('records a match and a release', () => {
    const item = queue.add('message-1', 'bench-1', ['no-accession'], { accession: '' });

    queue.match(item.id, 'Specimen/sp-1');
    now = new Date('2026-12-05T09:00:00Z');
    const released = queue.decide(item.id, { state: 'released', userId: 'user-lab' });

    expect(released.specimenId).toBe('Specimen/sp-1');
    expect(released.state).toBe('released');
    expect(released.decidedBy).toBe('user-lab');
    expect(released.decidedAt).toBe('2026-12-05T09:00:00.000Z');
    expect(queue.countWaiting()).toBe(0);
  });

  it('refuses a second decision', () => {
    const item = queue.add('message-1', 'bench-1', ['critical-flag'], { accession: 'ACC-1' });
    queue.decide(item.id, { state: 'rejected', userId: 'user-a', reason: 'haemolysed sample' });

    expect(() => queue.decide(item.id, { state: 'released', userId: 'user-b' })).toThrow(/already rejected by user-a/);
    expect(queue.get(item.id)?.decisionReason).toBe('haemolysed sample');
  });

  it('keeps items across a reopen', () => {
    const item = queue.add('message-1', 'bench-1', ['unmapped-test'], { accession: 'ACC-1' });
    queue.close();
    queue = new ReviewQueue<Group>(file);

    expect(queue.get(item.id)?.reasons).toEqual(['unmapped-test']);
  });
});
