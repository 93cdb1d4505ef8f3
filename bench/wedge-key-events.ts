/** GS (0x1D), which wedge scanners type as Ctrl+] for the FNC1 of a GS1 barcode. */
const GROUP_SEPARATOR = '\u001d';
const CTRL = 2;
const SHIFT = 8;

/** The parameters of CDP's Input.dispatchKeyEvent. */
export interface KeyEventParameters {
  type: 'keyDown' | 'rawKeyDown' | 'keyUp';
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  modifiers: number;
  text?: string;
}

function keyOf(character: string): Omit<KeyEventParameters, 'type'> {
  if (character === GROUP_SEPARATOR) return { key: ']', code: 'BracketRight', windowsVirtualKeyCode: 221, modifiers: CTRL };
  if (character === ']') return { key: ']', code: 'BracketRight', windowsVirtualKeyCode: 221, modifiers: 0, text: ']' };
  if (/^\d$/.test(character)) return { key: character, code: `Digit${character}`, windowsVirtualKeyCode: character.charCodeAt(0), modifiers: 0, text: character };
  if (/^[a-z]$/i.test(character)) {
    const upper = character.toUpperCase();
    return { key: character, code: `Key${upper}`, windowsVirtualKeyCode: upper.charCodeAt(0), modifiers: character === upper ? SHIFT : 0, text: character };
  }
  throw new Error(`No key for ${JSON.stringify(character)}: the bench types digits, Latin letters, ] and GS only`);
}

/**
 * Returns the key-down and key-up events with which a keyboard-wedge scanner on a US layout types
 * `barcode` and its Enter suffix: GS as Ctrl+], capitals with Shift.
 */
export function wedgeKeyEvents(barcode: string): KeyEventParameters[] {
  const keys = [...[...barcode].map(keyOf), { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, modifiers: 0, text: '\r' }];
  return keys.flatMap((key) => [
    { ...key, type: key.text === undefined ? ('rawKeyDown' as const) : ('keyDown' as const) },
    { type: 'keyUp' as const, key: key.key, code: key.code, windowsVirtualKeyCode: key.windowsVirtualKeyCode, modifiers: key.modifiers },
  ]);
}
