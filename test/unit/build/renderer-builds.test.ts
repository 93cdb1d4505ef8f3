import type { PluginOption } from 'vite';
import { describe, expect, it } from 'vitest';

import electronViteConfig from '../../../electron.vite.config.js';
import rendererViteConfig from '../../../renderer/vite.config.js';

/** Names of the plugins of a Vite config, nested plugin arrays flattened. */
function pluginNames(plugins: PluginOption[] | undefined): string[] {
  return (plugins ?? []).flat(Infinity as 1).flatMap((plugin) => (plugin && typeof plugin === 'object' && 'name' in plugin ? [plugin.name] : []));
}

describe('renderer builds', () => {
  it('gives both builds the same plugins', () => {
    // `npm run build` (electron-vite) and `npm run build:renderer` both write dist/renderer.
    const electronRenderer = (electronViteConfig as { renderer?: { plugins?: PluginOption[] } }).renderer;

    expect(pluginNames(electronRenderer?.plugins)).toEqual(pluginNames((rendererViteConfig as { plugins?: PluginOption[] }).plugins));
    expect(pluginNames(electronRenderer?.plugins)).toContain('hms-cornerstone-codecs');
  });
});
