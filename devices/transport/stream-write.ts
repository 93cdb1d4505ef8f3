import type { Writable } from 'node:stream';

/**
 * Writes one chunk and resolves once the stream has written it out and, if its buffer was over the
 * high-water mark, emitted `drain`. Rejects with the write's error, or when the stream closes first.
 */
export function writeToStream(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let written = false;
    let drained = true;

    const finish = (): void => {
      if (!written || !drained) return;
      stream.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      stream.off('drain', onDrain);
      reject(new Error(`The connection closed before ${chunk.length} bytes were sent`));
    };
    const onDrain = (): void => {
      drained = true;
      finish();
    };

    stream.once('close', onClose);
    const belowHighWaterMark = stream.write(chunk, (error) => {
      if (error) {
        stream.off('close', onClose);
        stream.off('drain', onDrain);
        reject(error);
        return;
      }
      written = true;
      finish();
    });
    if (!belowHighWaterMark) {
      drained = false;
      stream.once('drain', onDrain);
    }
  });
}
