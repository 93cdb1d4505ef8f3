import type { Observable } from 'rxjs';
import { firstValueFrom, timeout } from 'rxjs';
import { filter } from 'rxjs/operators';

/** Waits for the first value of `source` that satisfies `predicate`, failing with `what` on timeout. */
export async function waitFor<T>(source: Observable<T>, predicate: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  try {
    return await firstValueFrom(source.pipe(filter(predicate), timeout(timeoutMs)));
  } catch (error) {
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: error });
  }
}
