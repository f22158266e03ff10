import { createHash } from 'node:crypto';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>
  >;
  components?: { schemas?: Record<string, Json> };
}

/** Routes whose answers are not cache entries (probes, the cache's own administration). */
const NOT_CACHED = [/^\/api\/health/, /^\/api\/cache\//, /^\/metrics$/];

/** JSON with sorted keys: the same schema always hashes alike. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const hash = (value: Json): string =>
  createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);

function refsOf(value: Json, found: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) refsOf(item, found);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.add(item.replace('#/components/schemas/', ''));
      else refsOf(item, found);
    }
}

/**
 * The shapes of what the cache stores, from the OpenAPI document: for each cached GET route its
 * 200 answer's schema, and every component schema those reach, each as a short hash. Two
 * documents with the same shapes describe the same cached JSON.
 */
export function cachedShapes(document: OpenApiDocument): Record<string, string> {
  const shapes: Record<string, string> = {};
  const reached = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    const schema = operations.get?.responses?.['200']?.content?.['application/json']?.schema;
    if (schema === undefined || NOT_CACHED.some((pattern) => pattern.test(path))) continue;
    shapes[`GET ${path}`] = hash(schema);
    refsOf(schema, reached);
  }
  const components = document.components?.schemas ?? {};
  const pending = [...reached];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    const schema = components[name];
    if (schema === undefined || shapes[name] !== undefined) continue;
    shapes[name] = hash(schema);
    const more = new Set<string>();
    refsOf(schema, more);
    for (const next of more) if (shapes[next] === undefined) pending.push(next);
  }
  return Object.fromEntries(Object.entries(shapes).sort(([a], [b]) => a.localeCompare(b)));
}

/** Names whose shape differs between two records (added, removed or changed). */
export function changedShapes(now: Record<string, string>, before: Record<string, string>): string[] {
  const names = new Set([...Object.keys(now), ...Object.keys(before)]);
  return [...names].filter((name) => now[name] !== before[name]).sort();
}
