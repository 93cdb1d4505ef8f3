#!/usr/bin/env node
// Launches the hms-scan command (see launch-command.mjs for when the build or the sources run).
import { launchCommand } from './launch-command.mjs';

await launchCommand('hms-scan', ['devices/cli', 'devices/scan']);
