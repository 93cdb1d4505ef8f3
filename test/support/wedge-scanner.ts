import type { Page } from 'playwright-core';

const GROUP_SEPARATOR = '\u001d';
/** CDP modifier bits: Ctrl 2, Shift 8. */
const CTRL = 2;
const SHIFT = 8;

/** The parameters of CDP's Input.dispatchKeyEvent for one key of a US keyboard layout. */
interface KeyEvent {
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  modifiers?: number;
  text?: string;
}

function keyEventOf(character: string): KeyEvent {
  if (character === GROUP_SEPARATOR) return { key: ']', code: 'BracketRight', windowsVirtualKeyCode: 221, modifiers: CTRL };
  if (character === ']') return { key: ']', code: 'BracketRight', windowsVirtualKeyCode: 221, text: ']' };
  if (character === '-') return { key: '-', code: 'Minus', windowsVirtualKeyCode: 189, text: '-' };
  if (/^\d$/.test(character)) return { key: character, code: `Digit${character}`, windowsVirtualKeyCode: character.charCodeAt(0), text: character };
  if (/^[a-z]$/i.test(character)) {
    const upper = character.toUpperCase();
    return { key: character, code: `Key${upper}`, windowsVirtualKeyCode: upper.charCodeAt(0), text: character, modifiers: character === upper ? SHIFT : 0 };
  }
  throw new Error(`The test scanner has no key for ${JSON.stringify(character)}; add it to keyEventOf`);
}

/**
 * Types a barcode as a keyboard-wedge scanner does: key after key with no pause, GS as Ctrl+],
 * then Enter. The keys go through Chromium's input pipeline (CDP Input.dispatchKeyEvent, as
 * Playwright's keyboard does) and the renderer's real wedge detector. They are all sent before
 * any is awaited, so they reach the page back to back as a scanner's USB reports do: awaiting each
 * one, as `keyboard.type` does, left gaps of 100 ms between keys on a loaded test machine.
 */
export async function typeAsWedgeScanner(page: Page, barcode: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const keys: KeyEvent[] = [...[...barcode].map(keyEventOf), { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' }];
  const sent = keys.flatMap((key) => [
    cdp.send('Input.dispatchKeyEvent', { type: key.text === undefined ? 'rawKeyDown' : 'keyDown', ...key }),
    cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: key.key, code: key.code, windowsVirtualKeyCode: key.windowsVirtualKeyCode, modifiers: key.modifiers ?? 0 }),
  ]);
  await Promise.all(sent);
  await cdp.detach();
}
