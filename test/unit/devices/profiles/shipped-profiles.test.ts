import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { AnalyzerProfile } from '../../../../devices/profiles/index.js';
import { formatProfileErrors, loadProfiles, loadShippedProfiles, matchTestCode, shippedProfileSources, testCodeKey } from '../../../../devices/profiles/index.js';

const shippedFolder = fileURLToPath(new URL('../../../../devices/profiles/shipped/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

/** Each shipped profile and the captures it was built from (in test/fixtures/astm and test/fixtures/hl7). */
const capturesByProfile: Record<string, string[]> = {
  'abbott-afinion-2': ['astm/senaite_abbott_afinion2.txt'],
  'roche-cobas-c111': ['astm/senaite_cobas_c111.txt', 'astm/senaite_cobas_c111_inline.decoded'],
  'roche-cobas-c311': ['astm/senaite_cobas_c311.txt'],
  'cepheid-genexpert': ['astm/senaite_genexpert.txt'],
  'biomerieux-mini-vidas': ['astm/senaite_mini_vidas_mock.txt'],
  'arkray-spotchem-el': ['astm/senaite_spotchem_el_mock.txt'],
  'horiba-pentra-xlr': ['astm/senaite_pentra_xlr.txt'],
  'sysmex-xn550': ['astm/senaite_sysmex_xn550.txt'],
  'horiba-yumizen-h500': ['astm/senaite_yumizen_h500.txt'],
  'mindray-bs-240': ['astm/astmio_mindray_bs240_log.decoded'],
  'erba-elite-580': ['hl7/astmio_erba_elite580_log.decoded'],
};

/**
 * Extracts the components of every R-3 (ASTM) or OBX-3 (HL7) in a capture. This is a rough
 * extraction for checking profile coverage only: frames are unwrapped and records split on CR,
 * without checksums or escapes. The protocol parsers have their own tests.
 */
function testIdComponents(text: string, protocol: AnalyzerProfile['protocol']['name']): string[][] {
  if (protocol === 'hl7-mllp') {
    // eslint-disable-next-line no-control-regex -- MLLP frames start with VT (0x0B)
    return [...text.matchAll(/(?:^|[\r\n\x0b])OBX\|[^|]*\|[^|]*\|([^|\r\n]*)/g)].map((match) => (match[1] as string).split('^'));
  }

  // eslint-disable-next-line no-control-regex -- E1381 frames are delimited by STX, ETX and ETB
  const body = [...text.matchAll(/\x02[0-7]([\s\S]*?)[\x03\x17][0-9A-Fa-f]{2}/g)].map((match) => match[1]).join('');
  const records = body.split(/[\r\n]+/);
  const header = records.find((record) => record.startsWith('H')) ?? 'H|\\^&';
  const componentDelimiter = header[3] as string;
  return records.filter((record) => record.startsWith('R|')).map((record) => (record.split('|')[2] ?? '').split(componentDelimiter));
}

/** Length of the longest E1381 frame in a capture, from STX to the checksum, both excluded. */
function longestFrame(text: string): number {
  // eslint-disable-next-line no-control-regex -- E1381 frames are delimited by STX, ETX and ETB
  const frames = [...text.matchAll(/\x02([0-7][\s\S]*?[\x03\x17])[0-9A-Fa-f]{2}/g)];
  return Math.max(0, ...frames.map((match) => (match[1] as string).length));
}

describe('shipped analyzer profiles', () => {
  const shipped = loadShippedProfiles();

  it('all validate', () => {
    expect(formatProfileErrors(shipped.errors)).toBe('');
    expect(shipped.profiles.map((loaded) => loaded.profile.id).sort()).toEqual(Object.keys(capturesByProfile).sort());
  });

  it('validate when loaded from the folder', async () => {
    const fromFolder = await loadProfiles(shippedFolder);

    expect(formatProfileErrors(fromFolder.errors)).toBe('');
    expect(fromFolder.profiles.map((loaded) => loaded.profile)).toEqual(shipped.profiles.map((loaded) => loaded.profile));
  });

  it('lists every file of the folder', () => {
    const files = readdirSync(shippedFolder).filter((file) => file.endsWith('.json'));

    expect(shippedProfileSources.map((source) => source.file).sort()).toEqual(files.sort());
  });

  it('name the file after the id', () => {
    for (const { file, profile } of shipped.profiles) expect(file).toBe(`${profile.id}.json`);
  });

  it('leave the listening address local', () => {
    for (const { profile } of shipped.profiles) {
      if (profile.transport.kind === 'tcp-server') expect(profile.transport.host, profile.id).toBe('127.0.0.1');
    }
  });

  for (const [id, captures] of Object.entries(capturesByProfile)) {
    it(`${id} maps every test code in its captures`, () => {
      const profile = shipped.profiles.find((loaded) => loaded.profile.id === id)?.profile;
      if (!profile) throw new Error(`No shipped profile ${id}`);

      const keys = new Set<string>();
      for (const capture of captures) {
        const text = readFileSync(`${fixtures}${capture}`, 'latin1');
        for (const components of testIdComponents(text, profile.protocol.name)) keys.add(testCodeKey(components, profile.protocol.testCodeComponents));
      }

      expect(keys.size, `test codes found in ${captures.join(', ')}`).toBeGreaterThan(0);
      const unmapped = [...keys].filter((key) => matchTestCode(profile, key).kind === 'unmapped');
      expect(unmapped).toEqual([]);
    });
  }

  it('accept the oversized frames their captures hold', () => {
    for (const [id, captures] of Object.entries(capturesByProfile)) {
      const profile = shipped.profiles.find((loaded) => loaded.profile.id === id)?.profile;
      if (profile?.protocol.name !== 'astm-e1381') continue;
      const longest = Math.max(...captures.map((capture) => longestFrame(readFileSync(`${fixtures}${capture}`, 'latin1'))));

      // 240 characters of text plus the frame number and the ETX or ETB: the E1381 limit without STX, checksum and CR LF.
      if (longest > 242) expect(profile.protocol.acceptOversizedFrames, `${id}: longest frame ${longest}`).toBe(true);
    }
  });

  it('map the Sysmex codes to automated-count LOINC codes', () => {
    const sysmex = shipped.profiles.find((loaded) => loaded.profile.id === 'sysmex-xn550')?.profile;

    expect(sysmex?.tests['WBC']).toMatchObject({ loinc: '6690-2', unit: '10*3/uL' });
    expect(sysmex?.tests['HGB']).toMatchObject({ loinc: '718-7', unit: 'g/dL' });
    expect(matchTestCode(sysmex as AnalyzerProfile, 'SCAT_WDF')).toMatchObject({ kind: 'ignored' });
  });

  it('give a note wherever LOINC is missing', () => {
    for (const { profile } of shipped.profiles) {
      for (const [code, mapping] of Object.entries(profile.tests)) {
        if (!mapping.loinc) expect(mapping.note, `${profile.id} ${code}`).toBeTruthy();
      }
    }
  });
});
