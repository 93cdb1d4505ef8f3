// Types of the pino-roll options this project uses; pino-roll 4 ships no declarations.
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';

  interface PinoRollOptions {
    file: string | (() => string);
    extension?: string;
    frequency?: 'daily' | 'hourly' | number;
    dateFormat?: string;
    size?: string | number;
    mkdir?: boolean;
    symlink?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    /** Sonic-Boom options passed through. */
    sync?: boolean;
    mode?: number;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<DestinationStream>;
}
