// What `npm run bench:cluster` reads from the benchmark database and requests to warm the cache.
import pg from 'pg';

/** The kits (with their club and season), clubs, seasons and the words and clubs to search and list. */
export async function readCatalogue(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'fkapi-bench' });
  await client.connect();
  try {
    const rows = async (sql) => (await client.query(sql)).rows;
    return {
      kits: (await rows('SELECT id, team_id, season_id FROM kits ORDER BY id')).map((r) => ({
        id: Number(r.id),
        teamId: Number(r.team_id),
        seasonId: Number(r.season_id),
      })),
      clubs: (await rows('SELECT id FROM clubs ORDER BY id')).map((r) => Number(r.id)),
      seasons: await rows('SELECT id, first_year FROM seasons ORDER BY id'),
      // What `choosePaths` (bench/lib/data.mjs) searches for and lists: first words of club names,
      // the most common first; the clubs with the most kits.
      words: (
        await rows(`SELECT lower(split_part(name, ' ', 1)) AS word FROM clubs
          WHERE length(split_part(name, ' ', 1)) >= 4 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 12`)
      ).map((r) => r.word),
      listClubs: await rows(`SELECT team_id AS id, count(*)::int AS kits FROM kits GROUP BY team_id
          ORDER BY count(*) DESC, team_id LIMIT 10`),
    };
  } finally {
    await client.end();
  }
}

/**
 * Every kit's and club's detail, every club's kits (first page) and seasons, every season, and
 * the searches and lists `choosePaths` (bench/lib/data.mjs) picks: club name words searched as
 * clubs and as kits, the first pages of the clubs with the most kits, plus season searches by
 * year and the first pages of the unfiltered kit list. Each path once.
 */
export function warmPaths({ kits, clubs, seasons, words, listClubs }) {
  const years = [...new Set(seasons.map((season) => season.first_year))];
  const groups = {
    'kit details': kits.map((kit) => `/api/kits/${kit.id}`),
    'club details': clubs.map((id) => `/api/clubs/${id}`),
    'club kits (page 1)': clubs.map((id) => `/api/clubs/${id}/kits`),
    'club seasons': clubs.map((id) => `/api/seasons?id=${id}`),
    'season details': seasons.map((season) => `/api/seasons/${season.id}`),
    'season searches': years.map((year) => `/api/seasons/search?keyword=${year}`),
    'club searches': words.map((word) => `/api/clubs/search?keyword=${encodeURIComponent(word)}`),
    'kit searches': words.map((word) => `/api/kits/search?keyword=${encodeURIComponent(word)}`),
    'kit lists by club': listClubs.flatMap(({ id, kits: count }) =>
      Array.from(
        { length: Math.min(3, Math.ceil(count / 20)) },
        (_, p) => `/api/kits?club=${id}&page=${p + 1}`,
      ),
    ),
    'kit lists': Array.from({ length: 5 }, (_, p) => `/api/kits?page=${p + 1}`),
  };
  return {
    paths: Object.values(groups).flat(),
    counts: Object.fromEntries(Object.entries(groups).map(([name, paths]) => [name, paths.length])),
  };
}
