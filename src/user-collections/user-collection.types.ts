/**
 * Shapes of a fetched user collection. Entries are upstream objects passed through with the
 * reference's changes (§2.18); FKApi controls only the members named here.
 */
export type JsonObject = Record<string, unknown>;

/** The local brand an entry's `kit.brand_name` was matched to, or just the upstream name. */
export type EnrichedBrand =
  | { id: number; name: string; slug: string; logo: string | null; logo_dark: string | null }
  | { name: string };

/** The local club an entry's kit was matched to, or just the upstream team name. */
export type EnrichedClub =
  | {
      id: number;
      name: string;
      slug: string;
      logo: string | null;
      logo_dark: string | null;
      country: string | null;
    }
  | { name: string };

export type CollectionEntry = JsonObject & { kit?: JsonObject };

/** What is stored under `user_collection_<userid>` (the reference's cached object). */
export interface UserCollection {
  success: boolean;
  entries: CollectionEntry[];
  total_entries: number;
  /** Number of the last upstream page fetched. */
  pages_scraped: number;
  /** The `user` member of upstream `user.php`; absent when that request failed. */
  user?: JsonObject;
}

/** State of the latest fetch of one user's collection (`fkapi:user_collection_task:<userid>`). */
export interface CollectionTaskStatus {
  task_id: string;
  state: 'running' | 'done' | 'failed';
  /** Why a failed fetch failed: a message safe to show to clients. */
  error?: string;
  error_code?: FetchFailureCode;
}

export type FetchFailureCode =
  | 'rate_limited'
  | 'upstream_http_error'
  | 'upstream_request_error'
  | 'invalid_upstream_response'
  | 'not_stored'
  | 'interrupted'
  | 'internal_error';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A stored value read back: refuses anything that is not the shape written by the fetcher. */
export function isUserCollection(value: unknown): value is UserCollection {
  return (
    isJsonObject(value) &&
    Array.isArray(value.entries) &&
    value.entries.every(isJsonObject) &&
    typeof value.total_entries === 'number' &&
    typeof value.pages_scraped === 'number' &&
    (value.user === undefined || isJsonObject(value.user))
  );
}

export function isCollectionTaskStatus(value: unknown): value is CollectionTaskStatus {
  return (
    isJsonObject(value) &&
    typeof value.task_id === 'string' &&
    (value.state === 'running' || value.state === 'done' || value.state === 'failed')
  );
}
