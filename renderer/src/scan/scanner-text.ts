import type { ScannerState, ScannerView, ScanSource } from '../../../preload/api/scan-schemas.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';

const kindLabels: Record<ScanSource, PlainMessageKey> = {
  hid: 'scanners.kind.hid',
  wedge: 'scanners.kind.wedge',
};

const stateLabels: Record<ScannerState, PlainMessageKey> = {
  connected: 'scanners.state.connected',
  disconnected: 'scanners.state.disconnected',
  blocked: 'scanners.state.blocked',
  failed: 'scanners.state.failed',
};

/** Symbols that go with each state's word, so the state never rests on colour alone. */
const stateSymbols: Record<ScannerState, string> = {
  connected: '●',
  disconnected: '○',
  blocked: '⊘',
  failed: '✕',
};

export function describeScannerKind(kind: ScanSource): string {
  return t(kindLabels[kind]);
}

/** Names a scanner: HID scanners by what the device reports, the wedge entry from the catalog. */
export function describeScannerName(scanner: Pick<ScannerView, 'kind' | 'name'>): string {
  return scanner.kind === 'wedge' ? t('scanners.name.wedge') : scanner.name;
}

/**
 * Describes a scanner's state. A wedge scanner cannot be seen until it scans, so its
 * `disconnected` reads as "no scan yet" rather than as unplugged, and `connected` as "in use".
 */
export function describeScannerState(scanner: Pick<ScannerView, 'kind' | 'state'>): string {
  if (scanner.kind === 'wedge' && scanner.state === 'disconnected') return t('scanners.state.wedgeUnseen');
  if (scanner.kind === 'wedge' && scanner.state === 'connected') return t('scanners.state.wedgeSeen');
  return t(stateLabels[scanner.state]);
}

export function scannerStateSymbol(state: ScannerState): string {
  return stateSymbols[state];
}
