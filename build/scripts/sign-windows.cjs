// Windows signing hook for electron-builder (`win.signtoolOptions.sign`). Hospitals sign with their
// own certificate, usually held in an HSM or a signing service that no build machine may copy, so
// the hook runs the command IT names in HMS_SIGN_COMMAND with the file to sign as its last argument.
// Without the variable the build stays unsigned and says so: updates then cannot be verified by
// publisher name, which IT must know before it deploys such a build.
'use strict';

const { spawnSync } = require('node:child_process');

/**
 * Signs one file. electron-builder calls this for every executable it writes, before the
 * installer's checksums and blockmap are computed, so signing never breaks a differential update.
 */
module.exports = async function signWindowsFile(configuration) {
  const command = process.env.HMS_SIGN_COMMAND;
  if (!command) {
    console.warn(`[sign] HMS_SIGN_COMMAND is not set: ${configuration.path} stays unsigned. Set it to the hospital's signing command to sign this build.`);
    return;
  }
  const [program, ...args] = command.split(' ').filter(Boolean);
  const result = spawnSync(program, [...args, configuration.path], { stdio: 'inherit' });
  if (result.error) throw new Error(`Signing ${configuration.path} failed: ${program} could not start (${result.error.message}); check HMS_SIGN_COMMAND`);
  if (result.status !== 0) throw new Error(`Signing ${configuration.path} failed: ${program} exited with ${result.status}; see its output above`);
};
