/**
 * Whether a URL's percent-encoding is valid UTF-8: invalid sequences in a query string would
 * otherwise reach the handlers as U+FFFD replacement characters. Checked for every request,
 * in the pipeline's first hook and on the cache-hit path alike (`app.factory.ts`).
 */
export function hasValidEncoding(url: string): boolean {
  if (!url.includes('%')) return true;
  try {
    decodeURIComponent(url.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}
