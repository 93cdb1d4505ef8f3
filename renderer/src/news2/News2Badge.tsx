import type { News2ResponseLevel } from '../../../preload/api/index.js';
import { responseLevelName } from './news2-text.js';

interface News2BadgeProps {
  total: number;
  level: News2ResponseLevel;
  /** Also write the level's name after the number; the colour alone must never carry the meaning. */
  showLevelName?: boolean;
}

/** Shows a NEWS2 total on the colour of its clinical response level. */
export function News2Badge({ total, level, showLevelName = true }: News2BadgeProps) {
  return (
    <span className={`news2-badge news2-level-${level}`} data-level={level} title={responseLevelName(level)}>
      <span className="news2-badge__total">{total}</span>
      {showLevelName && <span className="news2-badge__level">{responseLevelName(level)}</span>}
    </span>
  );
}
