import { runInspectCommand } from './inspect-command.js';
import { runSimulateCommand } from './simulate-command.js';

/**
 * `hms-lab`: tools for lab staff and IT troubleshooting an analyzer interface.
 *
 *   hms-lab inspect FILE     decode a capture and print what the workstation would make of it
 *   hms-lab simulate ...     play an analyzer over a serial port or TCP
 */
const USAGE = `Usage:
  hms-lab inspect [--profile ID|FILE] [--time-zone ZONE] FILE
  hms-lab simulate (--serial PATH | --connect HOST:PORT | --listen [HOST:]PORT) [options] FILE
  hms-lab inspect --help, hms-lab simulate --help: every option
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  inspect: runInspectCommand,
  simulate: runSimulateCommand,
};

const [name, ...args] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (!command) {
  process.stderr.write(name === undefined || name === '--help' ? USAGE : `Unknown command "${name}".\n${USAGE}`);
  process.exitCode = name === '--help' ? 0 : 2;
} else {
  process.exitCode = await command(args);
}
