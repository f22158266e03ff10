import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { Club } from '../../../src/clubs/club.entity';
import { Competition } from '../../../src/competitions/competition.entity';
import { Season } from '../../../src/seasons/season.entity';
import {
  makeBrand,
  makeClub,
  makeCompetition,
  makeKit,
  makeKitType,
  makeSeason,
} from '../../factories/catalog';
import { adminHeaders } from '../../utils/test-app';
import { sleep } from './ports';

/**
 * The staleness oracle. Writes to one entity are sent one at a time, each giving the entity a new
 * version with a unique marker; a version is "acknowledged" when its 2xx answer has arrived. A
 * read that started at `start` and ended at `end` may show the last version acknowledged before
 * `start` or any later version sent before `end` (a write in flight may already be visible); an
 * older version is a stale read.
 */
interface Version<S> {
  state: S;
  sentAt: number;
  ackAt: number;
  /** The instance the write was sent to. */
  via?: string;
}

class History<S> {
  readonly versions: Version<S>[];
  busy = false;

  constructor(initial: S, createdAt = -Infinity) {
    this.versions = [{ state: initial, sentAt: createdAt, ackAt: createdAt }];
  }

  begin(state: S): Version<S> {
    const version = { state, sentAt: performance.now(), ackAt: Infinity };
    this.versions.push(version);
    return version;
  }

  current(): S {
    return this.versions[this.versions.length - 1].state;
  }

  /** Every state a read over [start, end] may legitimately show. */
  acceptable(start: number, end: number): S[] {
    let floor = 0;
    this.versions.forEach((version, index) => {
      if (version.ackAt < start) floor = index;
    });
    return this.versions
      .slice(floor)
      .filter((version, index) => index === 0 || version.sentAt < end)
      .map((version) => version.state);
  }
}

interface KitState {
  exists: boolean;
  name: string;
  teamId: number;
  seasonId: number;
  competitionIds: number[];
}

interface KitEntry {
  history: History<KitState>;
  slug: string;
}

export interface ConsistencyOptions {
  /** Base URLs of the API instances (reads and writes go to a random one each time). */
  instances: string[];
  /** Where writes go; the same instances unless a test wants writes elsewhere. */
  writeInstances?: string[];
  /** A connection to the instances' database, to seed the catalogue. */
  dataSource: DataSource;
  seconds: number;
  /**
   * The run goes on past `seconds` until this many writes were acknowledged: a slow machine
   * does less in the same time, and a check that saw few writes proves little.
   */
  minWrites?: number;
  readers?: number;
  writers?: number;
  /** Pause of each writer after each write (default none): gaps in which replicas catch up. */
  writePauseMs?: number;
  /**
   * After the run, every read of every club and kit is sent to every instance until all of them
   * show the last acknowledged state, for at most this long (then `unconverged` lists what is
   * still stale). Not done when absent.
   */
  convergeWithinMs?: number;
}

/** One stale read, with the write that made it stale: the last one acknowledged before it began. */
export interface StaleRead {
  /** The instance that answered the read. */
  instance: string;
  endpoint: string;
  /**
   * How long after the acknowledgement of that write the read began, in ms: the smallest shift
   * of the read's start that makes its answer acceptable (Infinity: no shift does).
   */
  delayMs: number;
  /** The instance the write was sent to (undefined when no write explains the answer). */
  writtenVia?: string;
  what: string;
  /** When the read began (performance.now()), to place it against a fault's timeline. */
  startedAt?: number;
}

export interface ConsistencyReport {
  seconds: number;
  instances: number;
  reads: number;
  readsByEndpoint: Record<string, number>;
  writes: number;
  writesByKind: Record<string, number>;
  /** Writes that did not answer 2xx (each weakens the oracle for its entity; expected 0). */
  failedWrites: number;
  /** Reads that answered neither 2xx nor an expected 404 (expected 0). */
  failedReads: number;
  stale: number;
  /** The first `MAX_ANALYSED_STALE` stale reads, each with its serving instance and delay. */
  staleReads: StaleRead[];
  /** What still differed from the last acknowledged state when `convergeWithinMs` ran out. */
  unconverged: string[];
  /**
   * Cache hits the instances counted during the run (`fkapi_cache_hits_total`): a run in which
   * the cache never answered would prove nothing about staleness.
   */
  cacheHits: number;
  /** Answers with a 5xx status, reads and writes (expected 0). */
  serverErrors: number;
  /** Every request: when it started (performance.now()) and how long it took, in ms. */
  samples: { start: number; ms: number }[];
  examples: string[];
}

const CLUBS = 4;
const SEASONS = 3;
const COMPETITIONS = 3;
const KITS = 16;
const MIN_LIVE_KITS = 10;
/** Stale reads analysed (a control run can have thousands; each analysis re-checks per version). */
const MAX_ANALYSED_STALE = 500;

/** Numbers the runs of one process, so that a second run's slugs do not collide with the first's. */
let runs = 0;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const sameIds = (a: number[], b: number[]): boolean =>
  a.length === b.length &&
  [...a].sort((x, y) => x - y).every((id, i) => id === [...b].sort((x, y) => x - y)[i]);

/**
 * Runs randomized writes (renames, moves between clubs and seasons, competition changes, deletes,
 * re-creates under the deleted kit's slug, club renames) through random instances while readers
 * hammer every cached read of those entities on every instance, and checks each read against the
 * oracle.
 */
/** A checker run with a fault played during it: the report and the moments the fault marked. */
export interface FaultRun {
  report: ConsistencyReport;
  /** Seconds from the start of the run to a mark, or to a `performance.now()` time ('NaN': never). */
  at(mark: string | number): string;
  /** Milliseconds from one mark to another. */
  msBetween(from: string, to: string): number;
  /** Requests of the run that began between two marks. */
  requestsBetween(from: string, to: string): number;
}

/**
 * Runs the checker and, a quarter of the way in, `fault`, which calls `mark(name)` as its steps
 * happen. The load always runs to its end, so a failing step leaves no requests behind; the
 * step's error is thrown once the run is over.
 */
export async function checkDuringFault(
  options: ConsistencyOptions,
  fault: (mark: (name: string) => void) => Promise<void>,
): Promise<FaultRun> {
  const started = performance.now();
  const marks = new Map<string, number>();
  const running = runConsistencyCheck(options);
  let failure: Error | undefined;
  try {
    await sleep((options.seconds / 4) * 1000);
    await fault((name) => marks.set(name, performance.now()));
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  const report = await running;
  if (failure) throw failure;
  const time = (mark: string | number): number =>
    typeof mark === 'number' ? mark : (marks.get(mark) ?? NaN);
  return {
    report,
    at: (mark) => ((time(mark) - started) / 1000).toFixed(1),
    msBetween: (from, to) => time(to) - time(from),
    requestsBetween: (from, to) =>
      report.samples.filter((s) => s.start >= time(from) && s.start < time(to)).length,
  };
}

export async function runConsistencyCheck(options: ConsistencyOptions): Promise<ConsistencyReport> {
  const { dataSource: ds, instances } = options;
  const run = ++runs;
  const type = await makeKitType(ds, { name: 'Chaos Home' });
  const brand = await makeBrand(ds, { name: 'Chaos Brand' });
  const clubs: Club[] = [];
  for (let i = 1; i <= CLUBS; i++)
    clubs.push(await makeClub(ds, { name: `Chaosclub ${i} w0`, slug: `chaosclub-${run}-${i}-kits` }));
  const seasons: Season[] = [];
  for (let i = 0; i < SEASONS; i++) seasons.push(await makeSeason(ds, { year: `${2061 + i}-${62 + i}` }));
  const competitions: Competition[] = [];
  for (let i = 1; i <= COMPETITIONS; i++)
    competitions.push(await makeCompetition(ds, { name: `Chaos Cup ${i}` }));

  const clubNames = new Map<number, History<string>>(clubs.map((club) => [club.id, new History(club.name)]));
  const kits = new Map<number, KitEntry>();
  for (let i = 0; i < KITS; i++) {
    const team = clubs[i % CLUBS];
    const season = seasons[i % SEASONS];
    const comps = competitions.filter((_, j) => (i + j) % 2 === 0);
    const kit = await makeKit(
      ds,
      { team, season, type, brand, competitions: comps },
      { name: `Chaoskit ${i} w0`, slug: `chaoskit-${run}-${i}-kit` },
    );
    kits.set(kit.id, {
      slug: kit.slug,
      history: new History({
        exists: true,
        name: kit.name,
        teamId: team.id,
        seasonId: season.id,
        competitionIds: comps.map((c) => c.id),
      }),
    });
  }

  const report: ConsistencyReport = {
    seconds: options.seconds,
    instances: instances.length,
    reads: 0,
    readsByEndpoint: {},
    writes: 0,
    writesByKind: {},
    failedWrites: 0,
    failedReads: 0,
    stale: 0,
    staleReads: [],
    unconverged: [],
    cacheHits: 0,
    serverErrors: 0,
    samples: [],
    examples: [],
  };
  let marker = 0;
  /** Creates sent but not answered yet: their kit may show up in lists under an id not known yet. */
  const pendingCreates = new Set<{ teamId: number; seasonId: number }>();
  const deadline = performance.now() + options.seconds * 1000;

  // The checks report what they find wrong to `stale`, which collects it for the read being checked.
  let problems: string[] = [];
  const stale = (what: string): void => {
    problems.push(what);
  };
  const problemsOf = (check: () => void): string[] => {
    const outer = problems;
    problems = [];
    try {
      check();
      return problems;
    } finally {
      problems = outer;
    }
  };

  const send = async (
    instance: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    const start = performance.now();
    const res = await fetch(`${instance}${path}`, {
      method,
      headers: { ...adminHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    report.samples.push({ start, ms: performance.now() - start });
    if (res.status >= 500) report.serverErrors += 1;
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };

  /** One write to one entity: its version is visible to the oracle from the moment it is sent. */
  const write = async <S>(
    kind: string,
    history: History<S>,
    next: S,
    request: (instance: string) => Promise<{ status: number; json: unknown }>,
  ): Promise<unknown> => {
    history.busy = true;
    const version = history.begin(next);
    version.via = pick(options.writeInstances ?? instances);
    try {
      const res = await request(version.via);
      if (res.status >= 200 && res.status < 300) {
        version.ackAt = performance.now();
        report.writes += 1;
        report.writesByKind[kind] = (report.writesByKind[kind] ?? 0) + 1;
        return res.json;
      }
      // Refused: it did not happen.
      history.versions.splice(history.versions.indexOf(version), 1);
      report.failedWrites += 1;
      if (report.examples.length < 20)
        report.examples.push(`write ${kind} answered ${res.status}: ${JSON.stringify(res.json)}`);
      return undefined;
    } catch (error) {
      // No answer: it may or may not have happened, so the version stays possible (never acknowledged).
      report.failedWrites += 1;
      if (report.examples.length < 20) report.examples.push(`write ${kind} failed: ${String(error)}`);
      return undefined;
    } finally {
      history.busy = false;
    }
  };

  const liveKits = (): [number, KitEntry][] =>
    [...kits].filter(([, kit]) => kit.history.current().exists && !kit.history.busy);

  const writeOnce = async (): Promise<void> => {
    marker += 1;
    const m = marker;
    const roll = Math.random();
    const live = liveKits();
    if (roll < 0.2) {
      const [id, club] = pick([...clubNames]);
      if (club.busy) return;
      const name = `Chaosclub ${clubs.findIndex((c) => c.id === id) + 1} w${m}`;
      await write('club_rename', club, name, (via) => send(via, 'PATCH', `/api/clubs/${id}`, { name }));
      return;
    }
    const deleted = [...kits].filter(
      ([, kit]) => !kit.history.current().exists && !kit.history.busy && kit.slug !== '',
    );
    if (roll < 0.3 && deleted.length > 0) {
      const [, gone] = pick(deleted);
      const slug = gone.slug;
      gone.slug = ''; // its slug is taken by the new kit
      const state: KitState = {
        exists: true,
        name: `Chaoskit ${slug.replace(/^chaoskit-|-kit$/g, '')} w${m}`,
        teamId: pick(clubs).id,
        seasonId: pick(seasons).id,
        competitionIds: competitions.filter(() => Math.random() < 0.5).map((c) => c.id),
      };
      const pending = { teamId: state.teamId, seasonId: state.seasonId };
      pendingCreates.add(pending);
      const history = new History<KitState>({ ...state, exists: false });
      try {
        const created = (await write('kit_create', history, state, (via) =>
          send(via, 'POST', '/api/kits', {
            name: state.name,
            slug,
            team_id: state.teamId,
            season_id: state.seasonId,
            type_id: type.id,
            brand_id: brand.id,
            competition_ids: state.competitionIds,
            main_img_url: 'https://img.example/kits/chaos.jpg',
          }),
        )) as { id?: number } | undefined;
        if (created?.id !== undefined) kits.set(created.id, { slug, history });
      } finally {
        pendingCreates.delete(pending);
      }
      return;
    }
    if (live.length === 0) return;
    const [id, kit] = pick(live);
    const now = kit.history.current();
    const label = `Chaoskit ${now.name.split(' ')[1]} w${m}`;
    if (roll < 0.4 && live.length > MIN_LIVE_KITS) {
      await write('kit_delete', kit.history, { ...now, exists: false }, (via) =>
        send(via, 'DELETE', `/api/kits/${id}`),
      );
    } else if (roll < 0.6) {
      const teamId = pick(clubs.filter((c) => c.id !== now.teamId)).id;
      const seasonId = pick(seasons).id;
      await write('kit_move', kit.history, { ...now, name: label, teamId, seasonId }, (via) =>
        send(via, 'PATCH', `/api/kits/${id}`, { name: label, team_id: teamId, season_id: seasonId }),
      );
    } else if (roll < 0.75) {
      const competitionIds = competitions.filter(() => Math.random() < 0.5).map((c) => c.id);
      await write('kit_competitions', kit.history, { ...now, name: label, competitionIds }, (via) =>
        send(via, 'PATCH', `/api/kits/${id}`, { name: label, competition_ids: competitionIds }),
      );
    } else {
      await write('kit_rename', kit.history, { ...now, name: label }, (via) =>
        send(via, 'PATCH', `/api/kits/${id}`, { name: label }),
      );
    }
  };

  // ---- reads and their checks ----

  const clubNameOk = (clubId: number, name: unknown, start: number, end: number): boolean =>
    clubNames
      .get(clubId)
      ?.acceptable(start, end)
      .includes(name as string) ?? false;

  /** A list of a club's kits (club kits page, kit list filtered by club). */
  const checkClubKitList = (
    label: string,
    clubId: number,
    items: unknown,
    start: number,
    end: number,
  ): void => {
    // A club of the run exists throughout: a 404 for its kits (a lagging replica) is stale too.
    if (!Array.isArray(items)) return stale(`${label}: answered ${JSON.stringify(items)}, not a list`);
    const listed = new Map((items as { id: number; name: string }[]).map((item) => [item.id, item.name]));
    for (const [id, kit] of kits) {
      const states = kit.history.acceptable(start, end);
      const inClub = states.filter((s) => s.exists && s.teamId === clubId);
      if (listed.has(id)) {
        if (!inClub.some((s) => s.name === listed.get(id)))
          stale(
            `${label}: kit ${id} listed as "${listed.get(id)}", acceptable ${JSON.stringify(inClub.map((s) => s.name))}`,
          );
      } else if (inClub.length === states.length) {
        stale(`${label}: kit ${id} ("${states[0].name}") missing`);
      }
    }
  };

  type Read = {
    name: string;
    path: string;
    check(status: number, body: unknown, start: number, end: number): void;
  };

  /** A read of one club's kit list, checked by `checkClubKitList`. */
  const clubKitListRead = (
    name: string,
    club: Club,
    path: (clubId: number) => string,
    label: (clubId: number) => string,
  ): Read => ({
    name,
    path: path(club.id),
    check: (_status, body, start, end) => checkClubKitList(label(club.id), club.id, body, start, end),
  });

  const kitRead = (id: number, kit: KitEntry, legacy: boolean): Read => ({
    name: legacy ? 'GET /api/kit-json/{id}' : 'GET /api/kits/{id}',
    path: legacy ? `/api/kit-json/${id}` : `/api/kits/${id}`,
    check(status, body, start, end) {
      const states = kit.history.acceptable(start, end);
      if (status === 404) {
        if (!states.some((s) => !s.exists)) stale(`kit ${id}: 404, acceptable ${JSON.stringify(states)}`);
        return;
      }
      const b = body as {
        name: string;
        team: { id: number; name: string };
        season: { id: number };
        competition: { id: number }[];
      };
      const match = states.some(
        (s) =>
          s.exists &&
          s.name === b.name &&
          s.teamId === b.team.id &&
          s.seasonId === b.season.id &&
          sameIds(
            s.competitionIds,
            b.competition.map((c) => c.id),
          ),
      );
      if (!match)
        stale(
          `kit ${id}: read ${JSON.stringify({ name: b.name, team: b.team.id, season: b.season.id, comps: b.competition.map((c) => c.id) })}, acceptable ${JSON.stringify(states)}`,
        );
      else if (!clubNameOk(b.team.id, b.team.name, start, end))
        stale(
          `kit ${id}: embedded club ${b.team.id} named "${b.team.name}", acceptable ${JSON.stringify(clubNames.get(b.team.id)?.acceptable(start, end))}`,
        );
    },
  });

  const clubRead = (club: Club): Read => ({
    name: 'GET /api/clubs/{id}',
    path: `/api/clubs/${club.id}`,
    check(_status, body, start, end) {
      const name = (body as { name: string }).name;
      if (!clubNameOk(club.id, name, start, end))
        stale(
          `club ${club.id}: "${name}", acceptable ${JSON.stringify(clubNames.get(club.id)?.acceptable(start, end))}`,
        );
    },
  });

  const clubKitsRead = (club: Club): Read =>
    clubKitListRead(
      'GET /api/clubs/{id}/kits',
      club,
      (id) => `/api/clubs/${id}/kits?page_size=100`,
      (id) => `club ${id} kits`,
    );

  const kitListRead = (club: Club): Read =>
    clubKitListRead(
      'GET /api/kits?club=',
      club,
      (id) => `/api/kits?club=${id}&page_size=100`,
      (id) => `kit list club=${id}`,
    );

  const seasonsRead = (club: Club): Read => ({
    name: 'GET /api/seasons?id=',
    path: `/api/seasons?id=${club.id}`,
    check(_status, body, start, end) {
      const listed = new Set((body as { id: number }[]).map((s) => s.id));
      for (const season of seasons) {
        let possible = [...pendingCreates].some((p) => p.teamId === club.id && p.seasonId === season.id);
        let required = false;
        for (const kit of kits.values()) {
          const states = kit.history.acceptable(start, end);
          const there = states.map((s) => s.exists && s.teamId === club.id && s.seasonId === season.id);
          if (there.some(Boolean)) possible = true;
          if (there.every(Boolean)) required = true;
        }
        if (listed.has(season.id) && !possible)
          stale(`seasons of club ${club.id}: ${season.year} listed, no kit there`);
        if (!listed.has(season.id) && required) stale(`seasons of club ${club.id}: ${season.year} missing`);
      }
    },
  });

  const kitSearchRead = (): Read => ({
    name: 'GET /api/kits/search',
    path: '/api/kits/search?keyword=Chaoskit',
    check(_status, body, start, end) {
      for (const item of body as { id: number; name: string; team_name: string }[]) {
        const kit = kits.get(item.id);
        if (!kit) continue; // created by a write not answered yet
        const states = kit.history.acceptable(start, end);
        const ok = states.some(
          (s) => s.exists && s.name === item.name && clubNameOk(s.teamId, item.team_name, start, end),
        );
        if (!ok) stale(`kit search: ${JSON.stringify(item)}, acceptable ${JSON.stringify(states)}`);
      }
    },
  });

  const clubSearchRead = (): Read => ({
    name: 'GET /api/clubs/search',
    path: '/api/clubs/search?keyword=Chaosclub',
    check(_status, body, start, end) {
      for (const item of body as { id: number; name: string }[])
        if (clubNames.has(item.id) && !clubNameOk(item.id, item.name, start, end))
          stale(
            `club search: ${JSON.stringify(item)}, acceptable ${JSON.stringify(clubNames.get(item.id)?.acceptable(start, end))}`,
          );
    },
  });

  const reads: (() => Read)[] = [
    () => {
      const [id, kit] = pick([...kits]);
      return kitRead(id, kit, Math.random() < 0.2);
    },
    () => clubRead(pick(clubs)),
    () => clubKitsRead(pick(clubs)),
    () => kitListRead(pick(clubs)),
    () => seasonsRead(pick(clubs)),
    kitSearchRead,
    clubSearchRead,
  ];

  /** Whether a read's status is an answer the oracle checks (else the read failed). */
  const answered = (read: Read, status: number): boolean =>
    status === 200 || (status === 404 && read.name.includes('{id}') && read.path.includes('kit'));

  /**
   * The write whose acknowledgement made a stale read stale: the latest acknowledged before the
   * read began such that, had the read begun just before that acknowledgement, its answer would
   * have been acceptable.
   */
  const staleBecause = (
    read: Read,
    status: number,
    body: unknown,
    start: number,
    end: number,
  ): Version<unknown> | undefined => {
    const acknowledged: Version<unknown>[] = [
      ...[...kits.values()].flatMap((kit) => kit.history.versions as Version<unknown>[]),
      ...[...clubNames.values()].flatMap((club) => club.versions as Version<unknown>[]),
    ]
      .filter((version) => Number.isFinite(version.ackAt) && version.ackAt < start)
      .sort((a, b) => b.ackAt - a.ackAt);
    return acknowledged.find(
      (version) => problemsOf(() => read.check(status, body, version.ackAt, end)).length === 0,
    );
  };

  const readOnce = async (): Promise<void> => {
    const read = pick(reads)();
    const instance = pick(instances);
    const start = performance.now();
    let status: number;
    let body: unknown;
    try {
      const res = await fetch(`${instance}${read.path}`);
      status = res.status;
      body = JSON.parse(await res.text()) as unknown;
    } catch (error) {
      report.failedReads += 1;
      if (report.examples.length < 20) report.examples.push(`${read.path}: ${String(error)}`);
      return;
    }
    const end = performance.now();
    report.samples.push({ start, ms: end - start });
    if (status >= 500) report.serverErrors += 1;
    report.reads += 1;
    report.readsByEndpoint[read.name] = (report.readsByEndpoint[read.name] ?? 0) + 1;
    if (!answered(read, status)) {
      report.failedReads += 1;
      if (report.examples.length < 20)
        report.examples.push(`${read.path}: ${status} ${JSON.stringify(body)}`);
      return;
    }
    const found = problemsOf(() => read.check(status, body, start, end));
    if (found.length === 0) return;
    report.stale += 1;
    if (report.examples.length < 20) report.examples.push(`${instance}: ${found[0]}`);
    if (report.staleReads.length >= MAX_ANALYSED_STALE) return;
    const cause = staleBecause(read, status, body, start, end);
    report.staleReads.push({
      instance,
      endpoint: read.name,
      delayMs: cause ? start - cause.ackAt : Infinity,
      writtenVia: cause?.via,
      what: found[0],
      startedAt: start,
    });
  };

  /** Every read of every club and kit on every instance, checked against the last acknowledged state. */
  const notConverged = async (): Promise<string[]> => {
    const all: Read[] = [
      ...[...kits].map(([id, kit]) => kitRead(id, kit, false)),
      ...clubs.flatMap((club) => [clubRead(club), clubKitsRead(club), kitListRead(club), seasonsRead(club)]),
      kitSearchRead(),
      clubSearchRead(),
    ];
    const wrong: string[] = [];
    for (const instance of instances) {
      for (const read of all) {
        const start = performance.now();
        const res = await fetch(`${instance}${read.path}`);
        const body = JSON.parse(await res.text()) as unknown;
        const found = answered(read, res.status)
          ? problemsOf(() => read.check(res.status, body, start, performance.now()))
          : [`${read.path}: ${res.status}`];
        wrong.push(...found.map((what) => `${instance}: ${what}`));
      }
    }
    return wrong;
  };

  const hitsBefore = await totalCacheHits(instances);
  // Past `seconds` only to reach `minWrites`, and never past the test's own time-out (seconds + 180 s).
  const hardDeadline = deadline + 170_000;
  const running = (): boolean => {
    const now = performance.now();
    return now < deadline || (report.writes < (options.minWrites ?? 0) && now < hardDeadline);
  };
  const loop = async (step: () => Promise<void>): Promise<void> => {
    while (running()) await step();
  };
  const writeAndPause = async (): Promise<void> => {
    await writeOnce();
    if (options.writePauseMs) await new Promise((resolve) => setTimeout(resolve, options.writePauseMs));
  };
  await Promise.all([
    ...Array.from({ length: options.writers ?? 3 }, () => loop(writeAndPause)),
    ...Array.from({ length: options.readers ?? 12 }, () => loop(readOnce)),
  ]);
  report.cacheHits = (await totalCacheHits(instances)) - hitsBefore;
  if (options.convergeWithinMs !== undefined) {
    // Polled: each round re-reads everything. A read of the first round may begin inside the
    // window of the last write; a second round is always allowed, later ones until the window
    // has passed since the writes stopped.
    const stopped = performance.now();
    let rounds = 0;
    do {
      report.unconverged = await notConverged();
      rounds += 1;
    } while (
      report.unconverged.length > 0 &&
      (rounds < 2 || performance.now() - stopped < options.convergeWithinMs)
    );
  }
  return report;
}

/** The sum of `fkapi_cache_hits_total` over every instance and cache type. */
async function totalCacheHits(instances: string[]): Promise<number> {
  let total = 0;
  for (const instance of instances) {
    const text = await (await fetch(`${instance}/metrics`)).text();
    for (const [, value] of text.matchAll(/^fkapi_cache_hits_total(?:\{[^}]*\})? (\S+)$/gm))
      total += Number(value);
  }
  return total;
}

/** The report as a few readable lines. */
export function formatReport(report: ConsistencyReport): string {
  const lines = [
    `consistency: ${report.seconds} s, ${report.instances} instances: ${report.reads} reads (${report.cacheHits} cache hits), ${report.writes} writes, ${report.stale} stale reads`,
    `  reads: ${Object.entries(report.readsByEndpoint)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  writes: ${Object.entries(report.writesByKind)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  failed writes: ${report.failedWrites}, failed reads: ${report.failedReads}, 5xx: ${report.serverErrors}`,
    ...report.examples.map((e) => `  ! ${e}`),
  ];
  return lines.join('\n');
}

/** The q-quantile (0..1) of the durations of the requests that started in [from, to). */
export function quantileMs(report: ConsistencyReport, q: number, from = -Infinity, to = Infinity): number {
  const durations = report.samples
    .filter((sample) => sample.start >= from && sample.start < to)
    .map((sample) => sample.ms)
    .sort((a, b) => a - b);
  if (durations.length === 0) return NaN;
  return durations[Math.min(durations.length - 1, Math.floor(q * durations.length))];
}
