import { AppConfig } from '../../src/config/app-config';
import { UserCollectionFetcher } from '../../src/user-collections/collection-fetcher';
import { FetchCoordination } from '../../src/user-collections/fetch-coordination';
import { StoredUserCollection, UserCollectionStore } from '../../src/user-collections/user-collection.store';
import { CollectionTaskStatus, UserCollection } from '../../src/user-collections/user-collection.types';
import {
  CollectionFetchError,
  UserCollectionNotFoundError,
  UserCollectionStoreUnavailableError,
} from '../../src/user-collections/user-collections.errors';
import {
  LOCK_TTL_MS,
  TASK_STATUS_TTL_SECONDS,
  UserCollectionsService,
} from '../../src/user-collections/user-collections.service';

const USER = 42;
const TTL_SECONDS = 604_800;

const collectionOf = (size: number): UserCollection => ({
  success: true,
  entries: Array.from({ length: size }, (_, i) => ({ name: `kit ${i + 1}` })),
  total_entries: size,
  pages_scraped: 1,
});
const stored = (size: number): StoredUserCollection => ({ collection: collectionOf(size), expiresAt: null });

let store: jest.Mocked<Pick<UserCollectionStore, 'get' | 'writeToken' | 'set' | 'invalidate' | 'drop'>>;
let coordination: jest.Mocked<FetchCoordination>;
let fetcher: jest.Mocked<Pick<UserCollectionFetcher, 'fetch'>>;
let service: UserCollectionsService;
/** Resolves when a fetch run released its lock: its last step. */
let released: Promise<void>;

beforeEach(() => {
  store = {
    get: jest.fn().mockResolvedValue(null),
    writeToken: jest.fn().mockResolvedValue(7),
    set: jest.fn().mockResolvedValue(true),
    invalidate: jest.fn(),
    drop: jest.fn(),
  };
  let onRelease: () => void = () => undefined;
  released = new Promise((resolve) => (onRelease = resolve));
  coordination = {
    acquireLock: jest.fn().mockResolvedValue(true),
    extendLock: jest.fn().mockResolvedValue(true),
    releaseLock: jest.fn<Promise<void>, [number, string]>(() => {
      onRelease();
      return Promise.resolve();
    }),
    lockHolder: jest.fn().mockResolvedValue(null),
    getTask: jest.fn().mockResolvedValue(null),
    setTask: jest.fn().mockResolvedValue(undefined),
    deleteTask: jest.fn(),
  };
  fetcher = { fetch: jest.fn().mockResolvedValue(collectionOf(3)) };
  service = new UserCollectionsService(
    store as unknown as UserCollectionStore,
    coordination,
    fetcher as unknown as UserCollectionFetcher,
    { cacheTtlUserCollectionSeconds: TTL_SECONDS } as AppConfig,
  );
});

afterEach(() => service.onModuleDestroy());

const lastTask = (): CollectionTaskStatus => coordination.setTask.mock.calls.at(-1)![1];

describe('UserCollectionsService.requestFetch', () => {
  it('answers a stored collection without taking the lock', async () => {
    store.get.mockResolvedValue(stored(2));
    const answer = await service.requestFetch(USER, false);
    expect(answer).toMatchObject({ status: 'cached', pagination: { total_count: 2 } });
    expect(coordination.acquireLock).not.toHaveBeenCalled();
  });

  it('drops the stored collection first when forced, then starts a fetch that stores with its write token', async () => {
    const answer = await service.requestFetch(USER, true);
    expect(store.drop).toHaveBeenCalledWith(USER);
    expect(answer.status).toBe('processing');
    const taskId = (answer as { task_id: string }).task_id;
    expect(coordination.acquireLock).toHaveBeenCalledWith(USER, taskId, LOCK_TTL_MS);
    await released;
    expect(store.set).toHaveBeenCalledWith(USER, collectionOf(3), TTL_SECONDS, 7);
    expect(coordination.setTask.mock.calls.map(([, status]) => status)).toEqual([
      { task_id: taskId, state: 'running' },
      { task_id: taskId, state: 'done' },
    ]);
    expect(coordination.setTask).toHaveBeenLastCalledWith(USER, expect.anything(), TASK_STATUS_TTL_SECONDS);
    expect(coordination.releaseLock).toHaveBeenCalledWith(USER, taskId);
  });

  it('answers the collection a fetch stored between the first read and the lock, and gives the lock back', async () => {
    store.get.mockResolvedValueOnce(null).mockResolvedValueOnce(stored(5));
    const answer = await service.requestFetch(USER, false);
    expect(answer).toMatchObject({ status: 'cached', pagination: { total_count: 5 } });
    expect(coordination.releaseLock).toHaveBeenCalledTimes(1);
    expect(fetcher.fetch).not.toHaveBeenCalled();
  });

  it('refuses to fetch what it could not store, giving the lock back', async () => {
    store.writeToken.mockResolvedValue(null);
    await expect(service.requestFetch(USER, false)).rejects.toBeInstanceOf(
      UserCollectionStoreUnavailableError,
    );
    expect(coordination.releaseLock).toHaveBeenCalledTimes(1);
    expect(fetcher.fetch).not.toHaveBeenCalled();
  });

  it("answers the running fetch's task id when another holds the lock", async () => {
    coordination.acquireLock.mockResolvedValue(false);
    coordination.lockHolder.mockResolvedValue('their-task');
    expect(await service.requestFetch(USER, false)).toMatchObject({
      status: 'processing',
      task_id: 'their-task',
    });
    expect(fetcher.fetch).not.toHaveBeenCalled();
  });

  it('gives up after three attempts when the lock keeps changing hands', async () => {
    coordination.acquireLock.mockResolvedValue(false);
    await expect(service.requestFetch(USER, false)).rejects.toThrow(/kept changing hands/);
    expect(coordination.acquireLock).toHaveBeenCalledTimes(3);
  });

  it("records an upstream failure's code as the task's outcome", async () => {
    fetcher.fetch.mockRejectedValue(new CollectionFetchError('rate_limited', 'upstream said 429'));
    await service.requestFetch(USER, false);
    await released;
    expect(lastTask()).toMatchObject({
      state: 'failed',
      error_code: 'rate_limited',
      error: 'upstream said 429',
    });
  });

  it('records not_stored when the collection was invalidated during the fetch', async () => {
    store.set.mockResolvedValue(false);
    await service.requestFetch(USER, false);
    await released;
    expect(lastTask()).toMatchObject({ state: 'failed', error_code: 'not_stored' });
  });
});

describe('UserCollectionsService.getPage', () => {
  it('pages the stored collection, the last page when asked past it', async () => {
    store.get.mockResolvedValue(stored(25));
    const page = await service.getPage(USER, 9, 10);
    expect(page.data.entries.map((entry) => entry.name)).toEqual(
      ['21', '22', '23', '24', '25'].map((n) => `kit ${n}`),
    );
    expect(page.pagination).toMatchObject({
      current_page: 3,
      total_pages: 3,
      has_next: false,
      page_size: 10,
    });
  });

  it('reads again when a fetch finished between the two reads, never answering 404 beside "done"', async () => {
    store.get.mockResolvedValueOnce(null).mockResolvedValueOnce(stored(1));
    coordination.getTask.mockResolvedValue({ task_id: 't', state: 'done' });
    expect((await service.getPage(USER, 1, 20)).status).toBe('ready');
    expect(store.get).toHaveBeenCalledTimes(2);
  });

  it('reports a "running" fetch whose lock is gone as interrupted', async () => {
    coordination.getTask.mockResolvedValue({ task_id: 't', state: 'running' });
    coordination.lockHolder.mockResolvedValue(null);
    const error = await service.getPage(USER, 1, 20).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserCollectionNotFoundError);
    expect((error as UserCollectionNotFoundError).extraBody.task).toMatchObject({
      state: 'failed',
      error_code: 'interrupted',
    });
  });

  it('reports a running fetch that still holds its lock as running', async () => {
    coordination.getTask.mockResolvedValue({ task_id: 't', state: 'running' });
    coordination.lockHolder.mockResolvedValue('t');
    const error = await service.getPage(USER, 1, 20).catch((caught: unknown) => caught);
    expect((error as UserCollectionNotFoundError).extraBody.task).toEqual({ task_id: 't', state: 'running' });
  });
});
