/** `hms-lab inspect FILE`: decodes a capture. */
export function runInspectCommand(args: string[]): Promise<number> {
  void args;
  process.stderr.write('hms-lab inspect is not built yet.\n');
  return Promise.resolve(2);
}
