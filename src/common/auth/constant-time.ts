import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with the configured ones without leaking, through timing, how
 * much of it matched or how long the real key is: both sides are hashed to a fixed length first.
 */
export function matchesAnySecret(presented: string, secrets: readonly string[]): boolean {
  const digest = createHash('sha256').update(presented).digest();
  let found = false;
  for (const secret of secrets) {
    const candidate = createHash('sha256').update(secret).digest();
    found = timingSafeEqual(digest, candidate) || found;
  }
  return found;
}
