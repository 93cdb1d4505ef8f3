import { afterEach, describe, expect, it } from 'vitest';

import { imagingInstanceUrl, setInstanceUrlsToBrowserHost, setInstanceUrlsToElectron } from '../../../renderer/src/host/imaging-url.js';

const STUDY = '1.2.826.0.1.3680043.8.498.1';
const SERIES = '1.2.826.0.1.3680043.8.498.2';
const SOP = '1.2.826.0.1.3680043.8.498.3';

describe('imagingInstanceUrl', () => {
  afterEach(() => setInstanceUrlsToElectron());

  it('uses the hms-dicom scheme under Electron', () => {
    setInstanceUrlsToElectron();

    expect(imagingInstanceUrl(STUDY, SERIES, SOP)).toBe(`hms-dicom://instances/${STUDY}/${SERIES}/${SOP}`);
  });

  it('uses the browser host route with its token', () => {
    setInstanceUrlsToBrowserHost('ab12');

    expect(imagingInstanceUrl(STUDY, SERIES, SOP)).toBe(`/imaging/instances/${STUDY}/${SERIES}/${SOP}?token=ab12`);
  });

  it('escapes what is not a UID', () => {
    setInstanceUrlsToBrowserHost('ab12');

    expect(imagingInstanceUrl('1/2', '3?4', '5#6')).toBe('/imaging/instances/1%2F2/3%3F4/5%236?token=ab12');
  });
});
