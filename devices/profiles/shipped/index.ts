import type { ProfileLoadResult } from '../loader.js';
import { validateProfileSources } from '../loader.js';
import abbottAfinion2 from './abbott-afinion-2.json' with { type: 'json' };
import arkraySpotchemEl from './arkray-spotchem-el.json' with { type: 'json' };
import biomerieuxMiniVidas from './biomerieux-mini-vidas.json' with { type: 'json' };
import cepheidGenexpert from './cepheid-genexpert.json' with { type: 'json' };
import erbaElite580 from './erba-elite-580.json' with { type: 'json' };
import horibaPentraXlr from './horiba-pentra-xlr.json' with { type: 'json' };
import horibaYumizenH500 from './horiba-yumizen-h500.json' with { type: 'json' };
import mindrayBs240 from './mindray-bs-240.json' with { type: 'json' };
import rocheCobasC111 from './roche-cobas-c111.json' with { type: 'json' };
import rocheCobasC311 from './roche-cobas-c311.json' with { type: 'json' };
import sysmexXn550 from './sysmex-xn550.json' with { type: 'json' };

/**
 * The profiles shipped with the product, imported as JSON modules so that every build (tsc, the
 * Electron bundle) carries them without copying files. Add a new file here as well as to the
 * folder; a unit test fails when the two differ.
 */
export const shippedProfileSources = [
  { file: 'abbott-afinion-2.json', json: abbottAfinion2 as unknown },
  { file: 'arkray-spotchem-el.json', json: arkraySpotchemEl as unknown },
  { file: 'biomerieux-mini-vidas.json', json: biomerieuxMiniVidas as unknown },
  { file: 'cepheid-genexpert.json', json: cepheidGenexpert as unknown },
  { file: 'erba-elite-580.json', json: erbaElite580 as unknown },
  { file: 'horiba-pentra-xlr.json', json: horibaPentraXlr as unknown },
  { file: 'horiba-yumizen-h500.json', json: horibaYumizenH500 as unknown },
  { file: 'mindray-bs-240.json', json: mindrayBs240 as unknown },
  { file: 'roche-cobas-c111.json', json: rocheCobasC111 as unknown },
  { file: 'roche-cobas-c311.json', json: rocheCobasC311 as unknown },
  { file: 'sysmex-xn550.json', json: sysmexXn550 as unknown },
] as const;

/** Validates the shipped profiles; a shipped profile that fails is a bug, which the unit tests catch. */
export function loadShippedProfiles(): ProfileLoadResult {
  return validateProfileSources(shippedProfileSources);
}
