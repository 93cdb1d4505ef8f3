import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { fixedClock } from '../../../main/core/clock.js';
import type { DicomWebClient } from '../../../main/core/imaging/dicomweb-client.js';
import { prefetchSettings } from '../../../main/core/imaging/imaging-settings.js';
import { PrefetchRunner } from '../../../main/core/imaging/prefetch-runner.js';
import type { StudyCache } from '../../../main/core/imaging/study-cache.js';
import type { ImagingPrefetchProgress } from '../../../preload/api/index.js';

/**
 * A PACS whose study searches wait until the test releases them, so a run can be held open. The
 * searches find no studies, so the runs never touch the cache.
 */
class HeldPacs {
  searches = 0;
  #release: (() => void)[] = [];

  readonly client = {
    searchStudiesOfPatient: (_patientId: string, options: { signal?: AbortSignal } = {}) => {
      this.searches += 1;
      return new Promise<never[]>((resolve, reject) => {
        this.#release.push(() => resolve([]));
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason));
      });
    },
  } as unknown as DicomWebClient;

  releaseAll(): void {
    for (const release of this.#release.splice(0)) release();
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('PrefetchRunner', () => {
  let runner: PrefetchRunner | undefined;

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
  });

  function start(pacs: HeldPacs, events: ImagingPrefetchProgress[]): PrefetchRunner {
    runner = new PrefetchRunner({
      client: pacs.client,
      cache: {} as StudyCache,
      settings: prefetchSettings.parse({}),
      patientIds: () => ['10000001'],
      logger: pino({ level: 'silent' }),
      clock: fixedClock('2026-12-05T08:00:00Z'),
      onProgress: (progress) => events.push(progress),
      debounceMs: 10,
    });
    return runner;
  }

  it('starts one run for a burst of requests', async () => {
    const pacs = new HeldPacs();
    const events: ImagingPrefetchProgress[] = [];
    const prefetch = start(pacs, events);

    prefetch.request();
    prefetch.request();
    prefetch.request();
    await until(() => pacs.searches === 1, 'the first search');
    pacs.releaseAll();
    await until(() => events.some((event) => event.state === 'finished'), 'the end of the run');

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pacs.searches).toBe(1);
    expect(events.at(-1)).toMatchObject({ state: 'finished', outcome: 'complete', studiesTotal: 0 });
    expect(prefetch.status()).toEqual(events.at(-1));
  });

  it('runs again after a request during a run', async () => {
    const pacs = new HeldPacs();
    const events: ImagingPrefetchProgress[] = [];
    const prefetch = start(pacs, events);

    prefetch.request();
    await until(() => pacs.searches === 1, 'the first search');
    prefetch.request();
    pacs.releaseAll();
    await until(() => pacs.searches === 2, 'the second run');
    pacs.releaseAll();
    await until(() => events.filter((event) => event.state === 'finished').length === 2, 'the end of both runs');

    expect(pacs.searches).toBe(2);
  });

  it('cancels a run when closed', async () => {
    const pacs = new HeldPacs();
    const events: ImagingPrefetchProgress[] = [];
    const prefetch = start(pacs, events);

    prefetch.request();
    await until(() => pacs.searches === 1, 'the first search');
    await prefetch.close();

    expect(events.at(-1)).toMatchObject({ state: 'finished', outcome: 'cancelled' });
    prefetch.request();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pacs.searches).toBe(1);
  });
});
