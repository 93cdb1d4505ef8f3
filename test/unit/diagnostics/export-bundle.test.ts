import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BUNDLES_KEPT, identifierMask, writeDiagnosticsBundle } from '../../../main/core/diagnostics/export-bundle.js';
import { makeTempDirectory } from '../../support/replica.js';

const CONTENTS = { versions: { app: '0.1.0' }, effectivePolicy: { settings: [] }, replica: { documents: 3 }, devices: [], crashDumps: [] };

describe('diagnostics bundle', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('bundle');
    mkdirSync(join(directory.path, 'logs'));
  });

  afterEach(() => directory.remove());

  it('masks identifiers in copied logs', async () => {
    writeFileSync(join(directory.path, 'logs', 'core.2026-12-05.1.log'), '{"msg":"chart of Ottoline Quennell-Abara, MRN-7731904 opened"}\n');

    const bundle = await writeDiagnosticsBundle({
      contents: CONTENTS,
      logDirectory: join(directory.path, 'logs'),
      outputDirectory: join(directory.path, 'out'),
      name: 'hms-diagnostics-ws-1-20261205T070000Z',
      patientIdentifiers: ['Quennell-Abara', 'Ottoline', 'MRN-7731904'],
    });

    const tar = gunzipSync(readFileSync(bundle.path)).toString('latin1');
    expect(bundle.entries).toEqual(['versions.json', 'effective-policy.json', 'replica.json', 'devices.json', 'crash-dumps.json', 'logs/core.2026-12-05.1.log']);
    expect(tar).toContain('chart of [patient] [patient], [patient] opened');
    expect(tar).not.toContain('Ottoline');
  });

  it(`keeps the newest ${BUNDLES_KEPT} bundles`, async () => {
    const out = join(directory.path, 'out');
    mkdirSync(out);
    for (let index = 0; index < BUNDLES_KEPT + 2; index += 1) {
      const path = join(out, `hms-diagnostics-ws-1-old-${index}.tar.gz`);
      writeFileSync(path, 'old');
      const time = new Date(Date.UTC(2026, 11, 1, index));
      utimesSync(path, time, time);
    }
    writeFileSync(join(out, 'notes.txt'), 'kept');

    await writeDiagnosticsBundle({ contents: CONTENTS, logDirectory: join(directory.path, 'logs'), outputDirectory: out, name: 'hms-diagnostics-ws-1-new', patientIdentifiers: [] });

    const left = readdirSync(out).sort();
    expect(left).toHaveLength(BUNDLES_KEPT + 1);
    expect(left).toContain('hms-diagnostics-ws-1-new.tar.gz');
    expect(left).toContain('notes.txt');
    expect(left).toContain(`hms-diagnostics-ws-1-old-${BUNDLES_KEPT + 1}.tar.gz`);
    expect(left).not.toContain('hms-diagnostics-ws-1-old-0.tar.gz');
  });

  it('leaves out the oldest logs beyond the size limit', async () => {
    for (const [name, day] of [['core.2026-12-03.1.log', 3], ['core.2026-12-04.1.log', 4], ['core.2026-12-05.1.log', 5]] as const) {
      const path = join(directory.path, 'logs', name);
      writeFileSync(path, 'x'.repeat(400));
      const time = new Date(Date.UTC(2026, 11, day));
      utimesSync(path, time, time);
    }

    const bundle = await writeDiagnosticsBundle({ contents: CONTENTS, logDirectory: join(directory.path, 'logs'), outputDirectory: join(directory.path, 'out'), name: 'hms-diagnostics-small', patientIdentifiers: [], maxLogBytes: 1000 });

    expect(bundle.entries.filter((entry) => entry.startsWith('logs/'))).toEqual(['logs/core.2026-12-04.1.log', 'logs/core.2026-12-05.1.log']);
    expect(bundle.entries).toContain('logs-omitted.json');
    expect(gunzipSync(readFileSync(bundle.path)).toString('latin1')).toContain('"core.2026-12-03.1.log"');
  });
});

describe('identifier mask', () => {
  it('masks whole words only', () => {
    const mask = identifierMask(['Ana', 'Anna Maria', 'ab']);

    expect(mask('Analyzer Ana and Anna Maria, ab')).toBe('Analyzer [patient] and [patient], ab');
  });
});
