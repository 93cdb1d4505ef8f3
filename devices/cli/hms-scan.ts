import { parseArgs } from 'node:util';

import { compileSitePattern, parseScan, SitePatternError } from '../scan/index.js';
import type { ScanParseOptions } from '../scan/index.js';

/**
 * `hms-scan`: tools for IT and pharmacy troubleshooting barcode scans.
 *
 *   hms-scan parse STRING    parse one scan and print what the workstation reads from it
 */
const USAGE = `Usage: hms-scan parse [--now ISO] [--wristband REGEX] [--specimen REGEX] [--] STRING

Parses one barcode scan as the workstation does and prints JSON: the symbology, the kind (gs1,
hibc, wristband, specimen or unknown), each GS1 element with its AI, title and value (dates as ISO
dates, measures as numbers with a UCUM unit), and the error of an invalid scan with its position.

In STRING, \\x1d or <GS> stands for the group separator (GS, sent for FNC1). Quote STRING for the
shell, and put -- before a STRING that starts with a hyphen.

Options:
  --now ISO          the clock for expiry checks and two-digit years: an ISO date (2025-06-01,
                     midnight local time) or date-time (2025-06-01T14:30, 2025-06-01T12:30:00Z).
                     Default: this computer's clock.
  --wristband REGEX  the site's wristband pattern, matched against the whole scan; a named group
                     (?<mrn>...) picks out the MRN.
  --specimen REGEX   the site's specimen label pattern, matched against the whole scan; a named
                     group (?<accession>...) picks out the accession.
  --help             print this help.

Exit status: 0 for a valid scan, 1 for an invalid scan, 2 when the arguments are wrong.
`;

const EXIT_VALID = 0;
const EXIT_INVALID_SCAN = 1;
const EXIT_USAGE = 2;

type Reading = { kind: 'run'; scan: string; options: ScanParseOptions } | { kind: 'help' } | { kind: 'invalid'; message: string };

function runParseCommand(args: string[]): number {
  const reading = readParseArguments(args);
  if (reading.kind === 'help') {
    process.stdout.write(USAGE);
    return EXIT_VALID;
  }
  if (reading.kind === 'invalid') {
    process.stderr.write(`hms-scan parse: ${reading.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  const result = parseScan(reading.scan, reading.options);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.error ? EXIT_INVALID_SCAN : EXIT_VALID;
}

function readParseArguments(args: string[]): Reading {
  let parsed: ReturnType<typeof parseParseArguments>;
  try {
    parsed = parseParseArguments(args);
  } catch (error) {
    return { kind: 'invalid', message: describeArgumentError(error as Error & { code?: string }) };
  }

  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length === 0) return { kind: 'invalid', message: 'STRING is missing: give the scan to parse, such as "]d2010952012345678810ABC1<GS>17260131"' };
  if (positionals.length > 1) return { kind: 'invalid', message: `Only one STRING can be parsed at a time, but ${positionals.length} were given: quote a scan that contains spaces` };

  const now = values.now === undefined ? new Date() : readNow(values.now);
  if (now === undefined) return { kind: 'invalid', message: `--now ${JSON.stringify(values.now)} is an invalid ISO date or date-time: give it as 2025-06-01 or 2025-06-01T14:30` };

  try {
    const options: ScanParseOptions = {
      now,
      ...(values.wristband !== undefined ? { wristbandPattern: compileSitePattern(values.wristband, 'wristband') } : {}),
      ...(values.specimen !== undefined ? { specimenPattern: compileSitePattern(values.specimen, 'specimen') } : {}),
    };
    return { kind: 'run', scan: decodeGroupSeparators(positionals[0] as string), options };
  } catch (error) {
    if (error instanceof SitePatternError) return { kind: 'invalid', message: `--${error.setting}: ${error.message}` };
    throw error;
  }
}

function parseParseArguments(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      now: { type: 'string' },
      wristband: { type: 'string' },
      specimen: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function describeArgumentError(error: Error & { code?: string }): string {
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(error.message)?.[1] ?? 'given';
    return `Unknown option ${option}: the options are --now, --wristband, --specimen and --help; put -- before a STRING that starts with a hyphen`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /--(now|wristband|specimen)/.exec(error.message)?.[0] ?? 'The option';
    return `${option} needs a value, such as --now 2025-06-01, --wristband '(?<mrn>\\d{8})' or --specimen 'S\\d{9}'`;
  }
  return error.message;
}

/** Reads `--now`: a date alone means local midnight, so that expiry checks use the local calendar day. */
function readNow(text: string): Date | undefined {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1).map(Number) as [number, number, number];
    const date = new Date(year, month - 1, day);
    return date.getMonth() === month - 1 && date.getDate() === day ? date : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Turns the typed stand-ins `\x1d` and `<GS>` into the group separator a scanner sends. */
function decodeGroupSeparators(text: string): string {
  return text.replace(/\\x1d|<GS>/gi, '\x1d');
}

const commands: Record<string, (args: string[]) => number> = { parse: runParseCommand };

const [name, ...args] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (!command) {
  const isHelp = name === '--help' || name === '-h';
  process.stderr.write(name === undefined || isHelp ? USAGE : `Unknown command "${name}": the only command is parse.\n\n${USAGE}`);
  process.exitCode = isHelp ? EXIT_VALID : EXIT_USAGE;
} else {
  process.exitCode = command(args);
}
