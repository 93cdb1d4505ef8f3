// A sampling heap profile of a bench's own process, taken through the inspector. Node's --heap-prof
// writes only the samples of objects still alive at exit. This profile also keeps the objects that
// garbage collection freed before the profile stopped, so it shows what allocates the garbage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Mean bytes between two samples. V8's default is 32 KB; a larger interval costs the run less. */
const SAMPLING_INTERVAL_BYTES = 64 * 1024;

export interface AllocationSampling {
  /** Stops sampling, writes `<name>.heapprofile` into `directory` and returns the file's path. */
  stop(directory: string, name: string): Promise<string>;
}

/**
 * Starts sampling the allocations of this process, including objects collected before the profile
 * stops. With `oldSpaceOnly`, objects that a scavenge (minor GC) collected are left out. The
 * profile then shows what reached the old generation, whose garbage only a full collection frees.
 * With `liveOnly`, every collected object is left out: the profile shows what is alive when it
 * stops, by the stack that allocated it. Chrome DevTools' Memory tab opens the written file.
 */
export async function startAllocationSampling(options: { oldSpaceOnly?: boolean; liveOnly?: boolean } = {}): Promise<AllocationSampling> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_INTERVAL_BYTES,
    includeObjectsCollectedByMajorGC: !options.liveOnly,
    includeObjectsCollectedByMinorGC: !options.liveOnly && !options.oldSpaceOnly,
  });
  return {
    async stop(directory, name) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      session.disconnect();
      mkdirSync(directory, { recursive: true });
      const path = join(directory, `${name}.heapprofile`);
      writeFileSync(path, JSON.stringify(profile));
      return path;
    },
  };
}
