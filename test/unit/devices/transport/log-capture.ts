import { Writable } from 'node:stream';

import { pino } from 'pino';

import type { Logger } from '../../../../main/core/logging/logger.js';
import { loggerOptions } from '../../../../main/core/logging/logger.js';

export interface CapturedLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** Creates a logger with the product's options (redaction included) that keeps its JSON lines in memory. */
export function captureLogs(): { logger: Logger; lines: CapturedLine[]; text: () => string } {
  const lines: CapturedLine[] = [];
  let raw = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as CapturedLine);
      }
      callback();
    },
  });
  const logger = pino(loggerOptions('debug'), sink).child({ component: 'analyzer-transport' });
  return { logger, lines, text: () => raw };
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
