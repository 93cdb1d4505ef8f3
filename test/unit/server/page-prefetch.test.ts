import { afterEach, describe, expect, it, vi } from 'vitest';

import { PagePrefetch } from '../../../sync/server/routes/page-prefetch.js';
import type { ChangeRow } from '../../../sync/server/routes/pull.js';

const ROWS: ChangeRow[] = [{ id: 'Observation/o1', document: '{}', txid: '7' }];

describe('PagePrefetch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives a page to its request once', async () => {
    const prefetch = new PagePrefetch();
    prefetch.start('ws-1', 'after 7', () => Promise.resolve(ROWS));

    expect(prefetch.take('ws-2', 'after 7')).toBeUndefined();
    expect(prefetch.take('ws-1', 'after 8')).toBeUndefined();
    await expect(prefetch.take('ws-1', 'after 7')).resolves.toBe(ROWS);
    expect(prefetch.take('ws-1', 'after 7')).toBeUndefined();
  });

  it('keeps one page per owner, the latest', async () => {
    const prefetch = new PagePrefetch();
    prefetch.start('ws-1', 'after 7', () => Promise.resolve([]));
    prefetch.start('ws-1', 'after 9', () => Promise.resolve(ROWS));

    expect(prefetch.size).toBe(1);
    expect(prefetch.take('ws-1', 'after 7')).toBeUndefined();
    await expect(prefetch.take('ws-1', 'after 9')).resolves.toBe(ROWS);
  });

  it('drops a page nobody took in time', () => {
    vi.useFakeTimers();
    const prefetch = new PagePrefetch(1000);
    prefetch.start('ws-1', 'after 7', () => Promise.resolve(ROWS));

    vi.advanceTimersByTime(999);
    expect(prefetch.size).toBe(1);
    vi.advanceTimersByTime(1);
    expect(prefetch.take('ws-1', 'after 7')).toBeUndefined();
  });

  it('drops a read that failed, so the request reads again', async () => {
    const prefetch = new PagePrefetch();
    prefetch.start('ws-1', 'after 7', () => Promise.reject(new Error('connection lost')));
    await new Promise((resolve) => setImmediate(resolve));

    expect(prefetch.take('ws-1', 'after 7')).toBeUndefined();
  });
});
