import { EntityMetadata } from 'typeorm';

/** The id of a single-key row, from the first source that has it (an event id or an entity). */
export function rowId(metadata: EntityMetadata, ...sources: unknown[]): number | undefined {
  const [primary] = metadata.primaryColumns;
  for (const source of sources) {
    if (source === undefined || source === null) continue;
    const id = toId(typeof source === 'object' ? primary.getEntityValue(source) : source);
    if (id !== undefined) return id;
  }
  return undefined;
}

export function toId(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (value === '') return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}
