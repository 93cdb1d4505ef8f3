// Publishes electron-builder's output to the hospital's update feed folder, and changes a published
// release's rollout without rebuilding. Run with `npx tsx build/scripts/release.ts <command>`.
import { parseArgs } from 'node:util';

import { publishRelease, setStagingPercentage, writeChannelFile } from './release-feed.js';

const USAGE = `Usage: npx tsx build/scripts/release.ts <command> --feed DIR [options]

Commands:
  publish --dist DIR            copy installers, blockmaps and channel files from DIR
                                (default dist/installers) to the feed; never deletes
  stage --file NAME --percent N set stagingPercentage of channel file NAME (0 to 100); a machine
                                in ring r takes the release once N exceeds r × 10
  channel --from NAME --to NAME write channel file NAME (e.g. pilot-ward-linux.yml) offering the
                                release of another channel file, for a pilot ward`;

function required(value: string | undefined, option: string): string {
  if (value === undefined) throw new Error(`Missing ${option}\n\n${USAGE}`);
  return value;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { feed: { type: 'string' }, dist: { type: 'string' }, file: { type: 'string' }, percent: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
});

try {
  const feedDirectory = required(values.feed, '--feed');
  switch (positionals[0]) {
    case 'publish': {
      const result = publishRelease({ distDirectory: values.dist ?? 'dist/installers', feedDirectory });
      console.log(`Published ${result.channelFiles.join(', ')} with ${result.copied.length} new file(s) to ${feedDirectory}`);
      break;
    }
    case 'stage':
      setStagingPercentage({ feedDirectory, channelFile: required(values.file, '--file'), percentage: Number(required(values.percent, '--percent')) });
      console.log(`${values.file} now staged at ${values.percent}%`);
      break;
    case 'channel':
      writeChannelFile({ feedDirectory, from: required(values.from, '--from'), to: required(values.to, '--to') });
      console.log(`${values.to} now offers the release of ${values.from}`);
      break;
    default:
      throw new Error(USAGE);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
