import { z } from 'zod';

import type { ScanParseOptions } from '../../../devices/scan/index.js';
import { compileSitePattern, SitePatternError } from '../../../devices/scan/index.js';
import type { ScanSettings } from '../../../preload/api/scan-schemas.js';
import type { Logger } from '../logging/logger.js';
import { DEFAULT_WEDGE_TIMINGS, wedgeTimings } from '../../../preload/api/scan-schemas.js';

/** A site pattern that must compile, so a typo fails at start-up with the setting named. */
function sitePattern(setting: 'wristband' | 'specimen') {
  return z
    .string()
    .min(1)
    .max(500)
    .superRefine((source, context) => {
      try {
        compileSitePattern(source, setting);
      } catch (error) {
        if (!(error instanceof SitePatternError)) throw error;
        context.addIssue({ code: 'custom', message: error.message });
      }
    });
}

/** Barcode scanning: the site's label formats, the keyboard-wedge timings and the HID scanner watch. */
export const scanningSettings = z.object({
  /** Regular expression of the wristband barcode; an `mrn` named group picks out the MRN. */
  wristbandPattern: sitePattern('wristband').optional(),
  /** Regular expression of the specimen label; an `accession` named group picks out the accession. */
  specimenPattern: sitePattern('specimen').optional(),
  /** Characters the site's scanners send for FNC1 in place of GS (0x1D). */
  extraGroupSeparators: z.array(z.string().min(1).max(4)).default([]),
  wedge: wedgeTimings.partial().default({}),
  hid: z
    .object({
      /** False leaves HID POS scanners closed, for a workstation whose scanners are all keyboard wedges. */
      enabled: z.boolean().default(true),
      /** How often the USB device list is read for scanners plugged in or removed, in milliseconds. */
      pollIntervalMs: z.number().int().min(250).max(60_000).default(2000),
    })
    .default({ enabled: true, pollIntervalMs: 2000 }),
});
export type ScanningSettings = z.infer<typeof scanningSettings>;

/** Returns the part of the settings the renderer needs to read wedge scans, with defaults filled in. */
export function scanSettingsView(settings: ScanningSettings | undefined): ScanSettings {
  return {
    wristbandPattern: settings?.wristbandPattern ?? null,
    specimenPattern: settings?.specimenPattern ?? null,
    extraGroupSeparators: settings?.extraGroupSeparators ?? [],
    wedge: { ...DEFAULT_WEDGE_TIMINGS, ...settings?.wedge },
  };
}

/** The parser options of the scan settings without the clock, which each scan sets. */
export type SiteParseOptions = Omit<ScanParseOptions, 'now'>;

/**
 * Compiles the site patterns once. loadSettings has already rejected invalid ones, but settings
 * passed in another way are not checked, so a pattern that fails is logged and left out rather
 * than failing every scan.
 */
export function compileParseOptions(settings: ScanSettings, logger: Logger): SiteParseOptions {
  const compile = (source: string | null, setting: 'wristband' | 'specimen'): RegExp | undefined => {
    if (source === null) return undefined;
    try {
      return compileSitePattern(source, setting);
    } catch (error) {
      if (!(error instanceof SitePatternError)) throw error;
      logger.error({ err: error, setting }, 'a site pattern of the scanning settings is invalid; scans are read without it');
      return undefined;
    }
  };
  const wristbandPattern = compile(settings.wristbandPattern, 'wristband');
  const specimenPattern = compile(settings.specimenPattern, 'specimen');
  return {
    ...(wristbandPattern ? { wristbandPattern } : {}),
    ...(specimenPattern ? { specimenPattern } : {}),
    extraGroupSeparators: settings.extraGroupSeparators,
  };
}
