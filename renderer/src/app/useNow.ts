import { useEffect, useState } from 'react';

/** Returns the current time, refreshed every `intervalMs`, for "5 minutes ago" texts. */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);

  return now;
}
