import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** Escapes LIKE metacharacters so a keyword is matched literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Name-or-slug search for clubs, brands and competitions. A row matches when its accent- and
 * case-folded name contains the keyword, or when the keyword is trigram-word-similar to its
 * name or slug (the reference's `trigram_word_similar`, threshold 0.6). Every condition is
 * served by the table's GIN trigram indexes. Results are ranked: exact name, name prefix, then
 * similarity, then id — so "arsenal" finds Arsenal before Arsenal Tula.
 */
export function applyNameSearch<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  keyword: string,
  limit: number,
): SelectQueryBuilder<T> {
  const folded = `fkapi_unaccent(lower(${alias}.name))`;
  const needle = 'fkapi_unaccent(lower(:keyword))';
  return qb
    .where(
      `(${folded} LIKE '%' || fkapi_unaccent(lower(:pattern)) || '%' OR ${needle} <% ${folded} OR lower(:keyword) <% ${alias}.slug)`,
      { keyword, pattern: escapeLike(keyword) },
    )
    .orderBy(
      `CASE WHEN ${folded} = ${needle} THEN 0 WHEN ${folded} LIKE fkapi_unaccent(lower(:pattern)) || '%' THEN 1 ELSE 2 END`,
    )
    .addOrderBy(`word_similarity(${needle}, ${folded})`, 'DESC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .limit(limit);
}
