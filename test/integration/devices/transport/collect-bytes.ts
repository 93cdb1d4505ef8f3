import type { Transport } from '../../../../devices/transport/index.js';

/** Collects what a transport receives; `waitFor(n)` resolves with the first n bytes once they are in. */
export function collectBytes(transport: Transport, timeoutMs = 10_000): { received: () => number; waitFor: (length: number) => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  let received = 0;
  let waiters: { length: number; resolve: (bytes: Buffer) => void }[] = [];

  transport.on('data', (chunk) => {
    chunks.push(chunk);
    received += chunk.length;
    const ready = waiters.filter((waiter) => waiter.length <= received);
    waiters = waiters.filter((waiter) => waiter.length > received);
    for (const waiter of ready) waiter.resolve(Buffer.concat(chunks).subarray(0, waiter.length));
  });

  return {
    received: () => received,
    waitFor: (length) => {
      if (received >= length) return Promise.resolve(Buffer.concat(chunks).subarray(0, length));
      return new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Connection ${transport.id} received ${received} of ${length} bytes within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          length,
          resolve: (bytes) => {
            clearTimeout(timer);
            resolve(bytes);
          },
        });
      });
    },
  };
}
