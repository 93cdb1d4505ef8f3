import { describe, expect, it } from 'vitest';

import { splitByBytes } from '../../../sync/client/push-batches.js';
import type { PushRow } from '../../../sync/protocol/wire.js';

function row(id: string, textLength: number): PushRow {
  return {
    newDocumentState: { id: `Observation/${id}`, resourceType: 'Observation', resource: { resourceType: 'Observation', id, note: [{ text: 'x'.repeat(textLength) }] }, _deleted: false },
  } as unknown as PushRow;
}

const bytesOf = (rows: PushRow[]) => rows.reduce((sum, entry) => sum + Buffer.byteLength(JSON.stringify(entry)) + 1, 0);

describe('splitByBytes', () => {
  it('keeps small rows in one run', () => {
    const rows = [row('a', 10), row('b', 10), row('c', 10)];
    expect(splitByBytes(rows, 10_000)).toEqual([rows]);
  });

  it('splits in order within the bound', () => {
    const rows = Array.from({ length: 10 }, (_, index) => row(String(index), 400));
    const runs = splitByBytes(rows, 1_500);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.flat()).toEqual(rows);
    for (const run of runs) expect(bytesOf(run)).toBeLessThanOrEqual(1_500);
  });

  it('sends a row larger than the bound alone', () => {
    const rows = [row('small', 10), row('large', 5_000), row('after', 10)];
    const runs = splitByBytes(rows, 1_000);
    expect(runs.map((run) => run.map((entry) => entry.newDocumentState.id))).toEqual([['Observation/small'], ['Observation/large'], ['Observation/after']]);
  });

  it('returns no run for no rows', () => {
    expect(splitByBytes([], 1_000)).toEqual([]);
  });
});
