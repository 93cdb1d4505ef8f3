import type { ProxyPolicy } from '../core/policy.js';

/** The shape of Electron's ProxyConfig (session.setProxy), declared here so that the core needs no electron import. */
export interface SessionProxyConfig {
  mode: 'direct' | 'pac_script' | 'fixed_servers' | 'system';
  proxyRules?: string;
  proxyBypassRules?: string;
  pacScript?: string;
}

/**
 * Translates the policy's proxy into Electron's terms. A PAC address goes in as `pacScript`, which
 * Electron fetches; giving the output of resolveProxy() as proxy rules breaks the session.
 */
export function sessionProxyConfig(proxy: ProxyPolicy): SessionProxyConfig {
  switch (proxy.mode) {
    case 'system':
      return { mode: 'system' };
    case 'direct':
      return { mode: 'direct' };
    case 'fixed':
      return { mode: 'fixed_servers', proxyRules: proxy.server, ...(proxy.bypassList === undefined ? {} : { proxyBypassRules: proxy.bypassList }) };
    case 'pac':
      return { mode: 'pac_script', pacScript: proxy.pacUrl };
  }
}
