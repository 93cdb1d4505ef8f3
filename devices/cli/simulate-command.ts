/** `hms-lab simulate`: plays an analyzer. Built in devices/simulator/. */
export function runSimulateCommand(args: string[]): Promise<number> {
  void args;
  process.stderr.write('hms-lab simulate is not built yet.\n');
  return Promise.resolve(2);
}
