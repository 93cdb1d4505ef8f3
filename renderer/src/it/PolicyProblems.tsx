import type { EffectiveSettings } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';

/** Lists ignored policy files and rejected keys, so IT sees why a value fell back. */
export function PolicyProblems({ problems }: { problems: EffectiveSettings['problems'] }) {
  if (problems.length === 0) return null;
  return (
    <section className="notice notice--warning it-problems" data-testid="policy-problems" aria-labelledby="policy-problems-title">
      <h2 id="policy-problems-title" className="section-title">
        {t('it.problems.title')}
      </h2>
      <ul>
        {problems.map((problem, index) => (
          <li key={index}>
            <span className="it-settings__path">{[problem.source, problem.key].filter(Boolean).join(' ')}</span> {problem.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
