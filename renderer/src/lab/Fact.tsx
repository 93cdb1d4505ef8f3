import type { ReactNode } from 'react';

/** Renders one term and its value in a `dl.lab-facts` list. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="lab-facts__item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
