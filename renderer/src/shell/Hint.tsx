import type { ReactNode } from 'react';
import { useId } from 'react';

interface HintProps {
  /** The explanation, shown in a bubble on hover or keyboard focus and read out as the description. */
  hint: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}

/** Renders text that can take keyboard focus and explains itself in a bubble, unlike `title`, which shows on hover only. */
export function Hint({ hint, className, testId, children }: HintProps) {
  const bubbleId = useId();
  return (
    <span className={className === undefined ? 'hint' : `hint ${className}`} tabIndex={0} aria-describedby={bubbleId} data-testid={testId}>
      {children}
      <span id={bubbleId} role="tooltip" className="hint__bubble">
        {hint}
      </span>
    </span>
  );
}
