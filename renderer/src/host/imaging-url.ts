/**
 * Where the viewer loads DICOM instances from. Instances reach the renderer only by URL, never as
 * file paths. Under Electron they come from the `hms-dicom:` scheme, which the main process serves
 * from the core's study cache. Under the browser host they come from its `/imaging/instances/`
 * route on the page's own origin, which needs this launch's token.
 */

/** The scheme and host of instance URLs under Electron; main registers the same scheme. */
export const ELECTRON_INSTANCE_BASE = 'hms-dicom://instances';
/** The browser host's instance route; `main/browser-host/imaging-route.ts` serves it. */
export const BROWSER_INSTANCE_PATH = '/imaging/instances';

type InstanceUrlBase = { kind: 'electron' } | { kind: 'browser-host'; token: string };

let base: InstanceUrlBase = { kind: 'electron' };

/** Makes instance URLs point at the browser host that served this page, with its launch token. */
export function setInstanceUrlsToBrowserHost(token: string): void {
  base = { kind: 'browser-host', token };
}

/** Makes instance URLs use the Electron host's `hms-dicom:` scheme (the default). */
export function setInstanceUrlsToElectron(): void {
  base = { kind: 'electron' };
}

/** Returns the URL of one cached or retrievable DICOM instance, for the viewer's `wadouri:` image ids. */
export function imagingInstanceUrl(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string): string {
  const path = [studyInstanceUid, seriesInstanceUid, sopInstanceUid].map(encodeURIComponent).join('/');
  if (base.kind === 'electron') return `${ELECTRON_INSTANCE_BASE}/${path}`;
  return `${BROWSER_INSTANCE_PATH}/${path}?token=${encodeURIComponent(base.token)}`;
}
