import type { AnalyzerSimulator } from '../simulator/index.js';
import { runSimulate } from '../simulator/index.js';

/**
 * `hms-lab simulate`: plays an analyzer (see devices/simulator/). The first Ctrl-C stops the run
 * and prints the summary; a second one ends the process at once.
 */
export async function runSimulateCommand(args: string[]): Promise<number> {
  let running: AnalyzerSimulator | undefined;
  const onInterrupt = (): void => {
    void running?.stop();
  };
  process.once('SIGINT', onInterrupt);

  try {
    return await runSimulate(args, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      onStart: (simulator) => {
        running = simulator;
      },
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
