import { readFile } from 'node:fs/promises';

import { pino } from 'pino';

import type { Logger } from '../../main/core/logging/logger.js';
import { loggerOptions } from '../../main/core/logging/logger.js';
import { readCapture } from './capture.js';
import type { Capture } from './capture-types.js';
import { CaptureError } from './capture-types.js';
import type { SimulateArguments } from './command-line.js';
import { parseSimulateArguments, UsageError } from './command-line.js';
import { formatEvent } from './event-format.js';
import { FaultError } from './faults.js';
import { SIMULATE_HELP } from './help.js';
import { AnalyzerSimulator } from './simulator.js';

/** Output streams of the command; tests pass their own. */
export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Log lines (JSON). The default writes none, because the event lines already report every step,
   * unless HMS_LOG_LEVEL sets a level; then they go to standard error.
   */
  logger?: Logger;
  /** Called with the running simulator, so that a signal handler can stop it. */
  onStart?: (simulator: AnalyzerSimulator) => void;
}

const processOutput: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs `hms-lab simulate`. Resolves with the exit status: 0 when every message was accepted and
 * every fault had its expected outcome, 1 otherwise, 2 for invalid arguments or an unreadable capture.
 */
export async function runSimulate(args: readonly string[], output: CommandOutput = processOutput): Promise<number> {
  const prepared = await prepare(args, output);
  if (typeof prepared === 'number') return prepared;

  const { parsed, simulator } = prepared;
  simulator.on('event', (event) => {
    if (parsed.json) {
      output.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
      return;
    }
    const line = formatEvent(event, { verbose: parsed.verbose });
    if (line !== undefined) output.stdout(`${line}\n`);
  });
  output.onStart?.(simulator);

  const report = await simulator.run();
  return report.ok ? 0 : 1;
}

/** Parses the arguments and reads the capture; returns an exit status when there is nothing to run. */
async function prepare(args: readonly string[], output: CommandOutput): Promise<number | { parsed: SimulateArguments; simulator: AnalyzerSimulator }> {
  try {
    const parsed = parseSimulateArguments(args);
    if (parsed.help) {
      output.stdout(SIMULATE_HELP);
      return 0;
    }

    const capture = await loadCapture(parsed);
    const simulator = new AnalyzerSimulator({
      capture,
      connection: parsed.connection,
      repeat: parsed.repeat,
      delayMs: parsed.delayMs,
      resend: parsed.resend,
      faults: parsed.faults,
      openTimeoutMs: parsed.openTimeoutMs,
      silenceMs: parsed.silenceMs,
      ackTimeoutMs: parsed.ackTimeoutMs,
      astm: parsed.astm,
      logger: output.logger ?? pino(loggerOptions(process.env.HMS_LOG_LEVEL ?? 'silent'), pino.destination(2)),
    });
    return { parsed, simulator };
  } catch (error) {
    if (error instanceof UsageError || error instanceof CaptureError || error instanceof RangeError) {
      output.stderr(`hms-lab simulate: ${error.message}\n`);
      return 2;
    }
    if (error instanceof FaultError) {
      output.stderr(`hms-lab simulate: --fault: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function loadCapture(parsed: SimulateArguments): Promise<Capture> {
  let bytes: Buffer;
  try {
    bytes = await readFile(parsed.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`Cannot read the capture FILE ${parsed.file}: ${reason}; give the path of an ASTM or HL7 capture`);
  }

  try {
    return readCapture(bytes, parsed.protocol === undefined ? {} : { protocol: parsed.protocol });
  } catch (error) {
    if (error instanceof CaptureError) throw new CaptureError(`${parsed.file}: ${error.message}`);
    throw error;
  }
}
