import { read } from 'node:fs';
import { promisify } from 'node:util';

import { SerialPort } from 'serialport';

const readFile = promisify(read);

/** The parts of serialport's Linux and macOS port bindings that a read needs. */
interface UnixPortBinding {
  fd: number | null;
  readonly isOpen: boolean;
  readonly poller: { once(event: 'readable', callback: (error: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

function isUnixPortBinding(port: object): port is UnixPortBinding {
  return 'poller' in port && 'fd' in port;
}

/**
 * serialport's own binding with one fix on Linux and macOS. Its read (@serialport/bindings-cpp
 * 13.0.0) retries a read that returns 0 bytes at once, forever. But on a non-blocking tty a 0-byte
 * read means end of file: the other end hung up (a pty whose owner exited, some USB adapters when
 * pulled). The retries then spin a CPU and the port is never reported lost. This read waits for the
 * poller as before, and turns a 0-byte read into an error, which the stream reports as a
 * disconnection. Drop it once https://github.com/serialport/bindings-cpp/issues/162 is fixed.
 */
export const hangupAwareBinding: typeof SerialPort.binding = {
  list: () => SerialPort.binding.list(),
  async open(options: Parameters<typeof SerialPort.binding.open>[0]) {
    const port = await (SerialPort.binding.open as (options: unknown) => Promise<object>)(options);
    if (isUnixPortBinding(port)) port.read = (buffer, offset, length) => readUntilData(port, buffer, offset, length);
    return port;
  },
} as typeof SerialPort.binding;

async function readUntilData(port: UnixPortBinding, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    throwIfClosed(port);

    let bytesRead: number;
    try {
      ({ bytesRead } = await readFile(port.fd as number, buffer, offset, length, null));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw error;
      // The port may have closed while the read ran; its poller is gone then.
      throwIfClosed(port);
      await waitUntilReadable(port);
      continue;
    }

    if (bytesRead === 0) throw Object.assign(new Error('end of file: the other end of the port hung up'), { code: 'EIO' });
    return { buffer, bytesRead };
  }
}

/** Throws a cancelled error once the port is closed, which the stream does not count as a loss. */
function throwIfClosed(port: UnixPortBinding): void {
  if (!port.isOpen || port.fd === null) throw Object.assign(new Error('Port is not open'), { canceled: true });
}

function waitUntilReadable(port: UnixPortBinding): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    port.poller.once('readable', (error) => (error ? reject(error) : resolve()));
  });
}
