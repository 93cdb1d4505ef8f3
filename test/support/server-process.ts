import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SERVER_MAIN = join(ROOT, 'sync', 'server', 'main.ts');
/** Bytes of the child's output kept for a failure message. */
const OUTPUT_TAIL_BYTES = 4_000;

/** Finds a TCP port on 127.0.0.1 that is free now. Another process may still take it before use. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The reference server's command line (`sync/server/main.ts`, run from source through tsx) in a
 * child process, so that a test can end it with SIGKILL. No shutdown code runs then, and
 * PostgreSQL rolls back the transactions that were open on its connections.
 */
export class ServerProcess {
  readonly url: string;
  #child: ChildProcess | undefined;
  #output = '';

  constructor(
    readonly databaseUrl: string,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the server, seeding the demo data unless already seeded, and waits until /health/ returns 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.#child) throw new Error(`The server process ${this.#child.pid} is already running`);
    this.#output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER_MAIN, '--database-url', this.databaseUrl, '--port', String(this.port), '--seed'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const keep = (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_TAIL_BYTES));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await this.#waitForHealth(child, timeoutMs);
  }

  /** Ends the server with SIGKILL and waits until the process has exited. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async #waitForHealth(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`The server process exited while starting (${child.exitCode ?? child.signalCode}): ${this.#output}`);
      }
      try {
        const response = await fetch(`${this.url}/health/`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`The server on ${this.url} did not return 200 on /health/ within ${timeoutMs} ms: ${this.#output}`);
  }
}
