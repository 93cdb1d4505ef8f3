import { t } from '../i18n/index.js';

/**
 * Marks a setting that IT fixed by policy or ward configuration. The mark is written out in words,
 * so it never relies on colour alone, and `id` lets the disabled field point at it.
 */
export function ManagedMark({ id }: { id: string }) {
  return (
    <span id={id} className="managed-mark" data-testid="setting-managed">
      {t('it.managed')}
    </span>
  );
}
