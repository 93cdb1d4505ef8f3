import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** True when the socat binary is on PATH; the serial tests skip without it. */
export const socatAvailable = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

/**
 * A pair of connected pseudo-terminals made by socat, reachable through two stable links
 * (`a` and `b`) in `directory`: what one side writes, the other reads, like a null-modem cable.
 * `stop()` kills this socat by its PID, which makes both ports disappear; `start()` again
 * recreates them at the same links.
 */
export class SocatPair {
  readonly a: string;
  readonly b: string;
  #process: ChildProcess | undefined;

  constructor(directory: string) {
    this.a = join(directory, 'a');
    this.b = join(directory, 'b');
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Starts socat and resolves once both links exist and it has entered its transfer loop. */
  async start(timeoutMs = 10_000): Promise<void> {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#process = child;

    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => finish(new Error(`socat did not start within ${timeoutMs} ms; it wrote: ${output}`)), timeoutMs);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (output.includes('starting data transfer loop') && existsSync(this.a) && existsSync(this.b)) finish();
      };
      const onExit = (code: number | null): void => finish(new Error(`socat exited with ${code} before starting; it wrote: ${output}`));
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
    });
    // Keep draining its log so that a full pipe never blocks it.
    child.stderr?.resume();
  }

  /** Kills this socat (by PID) and resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;

    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
