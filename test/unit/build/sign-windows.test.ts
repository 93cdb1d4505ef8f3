import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { makeTempDirectory } from '../../support/replica.js';

const require = createRequire(import.meta.url);
const signWindowsFile = require('../../../build/scripts/sign-windows.cjs') as (configuration: { path: string }) => Promise<void>;

describe('Windows signing hook', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  const saved = process.env.HMS_SIGN_COMMAND;

  beforeEach(() => {
    directory = makeTempDirectory('sign-hook');
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.HMS_SIGN_COMMAND;
    else process.env.HMS_SIGN_COMMAND = saved;
    vi.restoreAllMocks();
    directory.remove();
  });

  it('runs the hospital\'s command on the file', async () => {
    const signer = join(directory.path, 'signer.mjs');
    writeFileSync(signer, "import { appendFileSync } from 'node:fs'; appendFileSync(process.argv[2] + '.signed', process.argv.slice(2).join(' '));");
    const file = join(directory.path, 'HMS Workstation Setup.exe');
    process.env.HMS_SIGN_COMMAND = `${process.execPath} ${signer}`;

    await signWindowsFile({ path: file });

    expect(readFileSync(`${file}.signed`, 'utf8')).toBe(file);
  });

  it('fails the build when signing fails', async () => {
    process.env.HMS_SIGN_COMMAND = `${process.execPath} -e process.exit(3)`;

    await expect(signWindowsFile({ path: join(directory.path, 'app.exe') })).rejects.toThrow(/exited with 3/);
  });

  it('leaves the file unsigned with a warning without a command', async () => {
    delete process.env.HMS_SIGN_COMMAND;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    await signWindowsFile({ path: join(directory.path, 'app.exe') });

    expect(warn).toHaveBeenCalledWith(expect.stringContaining('stays unsigned'));
    expect(existsSync(join(directory.path, 'app.exe.signed'))).toBe(false);
  });
});
