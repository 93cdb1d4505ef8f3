export const INSPECT_USAGE = `Usage: hms-lab inspect [--profile ID|FILE] [--time-zone ZONE] FILE

Decodes a capture of what an analyzer sent (ASTM E1381 frames, ASTM records as text lines, or HL7
with or without MLLP; detected from the bytes) and prints JSON: the frames or MLLP blocks, each
record or segment with its fields, the results the workstation would store, and every error and
warning with its byte offset.

Options:
  --profile ID|FILE   the analyzer profile: a shipped profile's id or a profile JSON file.
                      Default: the shipped profile that maps the most of the capture's test codes.
  --time-zone ZONE    time zone of analyzer timestamps without an offset: an IANA name such as
                      Europe/Berlin, UTC, or an offset such as +02:00. Default: this computer's zone.
  --help              print this help.

Exit status: 0 when the capture is valid, 1 when it has errors, 2 when the arguments are wrong.
`;

export interface InspectArguments {
  readonly file: string;
  readonly profile?: string;
  readonly timeZone?: string;
}

export type ArgumentsReading = { readonly kind: 'run'; readonly arguments: InspectArguments } | { readonly kind: 'help' } | { readonly kind: 'invalid'; readonly message: string };

const VALUE_OPTIONS = { '--profile': 'profile', '--time-zone': 'timeZone' } as const;

/** Reads `hms-lab inspect` arguments; options may come before or after FILE, as `--name value` or `--name=value`. */
export function readInspectArguments(args: readonly string[]): ArgumentsReading {
  const values: { profile?: string; timeZone?: string } = {};
  const files: string[] = [];

  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] as string;
    if (argument === '--help' || argument === '-h') return { kind: 'help' };
    if (argument === '--') {
      files.push(...args.slice(index + 1));
      break;
    }
    if (!argument.startsWith('-') || argument === '-') {
      files.push(argument);
      continue;
    }

    const [name, inline] = splitOption(argument);
    const key = Object.hasOwn(VALUE_OPTIONS, name) ? VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS] : undefined;
    if (!key) return { kind: 'invalid', message: `Unknown option ${name}: the options are --profile, --time-zone and --help` };
    const value = inline ?? args[index + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      return { kind: 'invalid', message: `${name} needs a value, such as ${name === '--profile' ? '--profile sysmex-xn550' : '--time-zone Europe/Berlin'}` };
    }
    if (values[key] !== undefined) return { kind: 'invalid', message: `${name} is given twice: give it once` };
    values[key] = value;
    if (inline === undefined) index += 1;
  }

  if (files.length === 0) return { kind: 'invalid', message: 'FILE is missing: name the capture file to inspect' };
  if (files.length > 1) return { kind: 'invalid', message: `Only one FILE can be inspected at a time, but ${files.length} were given: run hms-lab inspect once per file` };
  return { kind: 'run', arguments: { file: files[0] as string, ...values } };
}

function splitOption(argument: string): [string, string | undefined] {
  const equals = argument.indexOf('=');
  return equals < 0 ? [argument, undefined] : [argument.slice(0, equals), argument.slice(equals + 1)];
}
