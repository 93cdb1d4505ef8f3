#!/usr/bin/env node
// Launches the hms-lab command (see launch-command.mjs for when the build or the sources run).
import { launchCommand } from './launch-command.mjs';

await launchCommand('hms-lab', ['devices', 'main/core/logging', 'sync/client', 'sync/protocol']);
