import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { writeToStream } from '../../../../devices/transport/stream-write.js';

/** Creates a stream whose writes complete only when the test calls `complete()`. */
function heldStream(highWaterMark: number): { stream: Writable; complete: () => void; fail: (error: Error) => void } {
  let pending: ((error?: Error | null) => void) | undefined;
  const stream = new Writable({
    highWaterMark,
    write(_chunk: Buffer, _encoding, callback) {
      pending = callback;
    },
  });
  return {
    stream,
    complete: () => pending?.(),
    fail: (error) => pending?.(error),
  };
}

describe('writeToStream', () => {
  it('waits until the chunk is written', async () => {
    const held = heldStream(1024);
    let resolved = false;

    const writing = writeToStream(held.stream, Buffer.alloc(10)).then(() => {
      resolved = true;
    });
    await Promise.resolve();
    expect(resolved).toBe(false);

    held.complete();
    await writing;
    expect(resolved).toBe(true);
  });

  it('resolves above the high-water mark', async () => {
    const held = heldStream(4);
    let resolved = false;

    const writing = writeToStream(held.stream, Buffer.alloc(16)).then(() => {
      resolved = true;
    });
    held.complete();
    await writing;

    expect(resolved).toBe(true);
    expect(held.stream.writableNeedDrain).toBe(false);
  });

  it('rejects with the write error', async () => {
    const held = heldStream(1024);
    const writing = writeToStream(held.stream, Buffer.alloc(10));

    // A real port or socket has an error listener; without one the stream would throw.
    held.stream.on('error', () => undefined);
    held.fail(new Error('EIO: i/o error, write'));

    await expect(writing).rejects.toThrow('EIO');
  });

  it('rejects when the stream closes first', async () => {
    const held = heldStream(1024);
    const writing = writeToStream(held.stream, Buffer.alloc(10));

    held.stream.destroy();

    await expect(writing).rejects.toThrow();
  });
});
