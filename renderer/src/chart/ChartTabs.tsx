import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';

export type ChartTab = 'observations' | 'medication' | 'imaging';

const labels: Record<ChartTab, PlainMessageKey> = {
  observations: 'chart.tab.observations',
  medication: 'chart.tab.medication',
  imaging: 'chart.tab.imaging',
};

interface ChartTabsProps {
  tabs: readonly ChartTab[];
  current: ChartTab;
  onChange(tab: ChartTab): void;
}

/** Renders the chart's section tabs under the banner (WAI-ARIA tabs pattern, activated by click or Enter). */
export function ChartTabs({ tabs, current, onChange }: ChartTabsProps) {
  return (
    <div className="chart-tabs" role="tablist" aria-label={t('chart.tabs')}>
      {tabs.map((tab) => (
        <button
          key={tab}
          type="button"
          role="tab"
          id={`chart-tab-${tab}`}
          aria-selected={tab === current}
          aria-controls={`chart-panel-${tab}`}
          className={tab === current ? 'chart-tabs__tab chart-tabs__tab--current' : 'chart-tabs__tab'}
          data-testid={`chart-tab-${tab}`}
          onClick={() => onChange(tab)}
        >
          {t(labels[tab])}
        </button>
      ))}
    </div>
  );
}
