import { ClubsRepository } from '../../src/clubs/clubs.repository';
import { ClubNotFoundError } from '../../src/clubs/clubs.errors';
import { InvalidRequestError } from '../../src/common/errors/domain-errors';
import { Kit } from '../../src/kits/kit.entity';
import { KitNotFoundError } from '../../src/kits/kits.errors';
import { KitsRepository } from '../../src/kits/kits.repository';
import { KitsService } from '../../src/kits/kits.service';
import { ColorsService } from '../../src/colors/colors.service';
import { KitTypesService } from '../../src/kit-types/kit-types.service';

/** Built with `new`: `@Cached` only records metadata, so these calls go straight to the logic. */
function kitRows(count: number, firstId = 1): Kit[] {
  return Array.from({ length: count }, (_, i) =>
    Object.assign(new Kit(), { id: firstId + i, name: `Kit ${firstId + i}`, mainImgUrl: null }),
  );
}

type KitsRepositoryMock = jest.Mocked<
  Pick<
    KitsRepository,
    | 'clubKitsPage'
    | 'countClubKits'
    | 'listPage'
    | 'countList'
    | 'searchCandidates'
    | 'countWithImage'
    | 'randomPage'
    | 'save'
    | 'findDetail'
  >
>;

let kits: KitsRepositoryMock;
let clubs: jest.Mocked<Pick<ClubsRepository, 'exists'>>;
let service: KitsService;

beforeEach(() => {
  kits = {
    clubKitsPage: jest.fn(),
    countClubKits: jest.fn(),
    listPage: jest.fn(),
    countList: jest.fn(),
    searchCandidates: jest.fn(),
    countWithImage: jest.fn(),
    randomPage: jest.fn(),
    save: jest.fn(),
    findDetail: jest.fn(),
  };
  clubs = { exists: jest.fn().mockResolvedValue(true) };
  service = new KitsService(
    kits as unknown as KitsRepository,
    clubs as unknown as ClubsRepository,
    {} as unknown as KitTypesService,
    {} as unknown as ColorsService,
  );
});

describe('KitsService pages (a page past the last gives the last page)', () => {
  it('reads the first page without counting', async () => {
    kits.listPage.mockResolvedValue(kitRows(2, 1));
    const page = await service.listKits({}, 1, 10);
    expect(page.map((kit) => kit.id)).toEqual([1, 2]);
    expect(kits.listPage).toHaveBeenCalledWith({}, 0, 10);
    expect(kits.countList).not.toHaveBeenCalled();
  });

  it('counts first for a later page, then reads it when it exists', async () => {
    kits.countList.mockResolvedValue(25);
    kits.listPage.mockResolvedValue(kitRows(5, 21));
    const page = await service.listKits({}, 3, 10);
    expect(page.map((kit) => kit.id)).toEqual([21, 22, 23, 24, 25]);
    expect(kits.countList).toHaveBeenCalledTimes(1);
    expect(kits.listPage.mock.calls.map(([, offset]) => offset)).toEqual([20]);
  });

  it('reads the last page, and only it, when the requested one is past it', async () => {
    kits.countList.mockResolvedValue(25);
    kits.listPage.mockResolvedValue(kitRows(5, 21));
    const page = await service.listKits({}, 9, 10);
    expect(page).toHaveLength(5);
    expect(kits.listPage.mock.calls.map(([, offset]) => offset)).toEqual([20]);
  });

  it('answers the (empty) first page when there is nothing to page', async () => {
    kits.countList.mockResolvedValue(0);
    kits.listPage.mockResolvedValue([]);
    expect(await service.listKits({}, 4, 10)).toEqual([]);
    expect(kits.countList).toHaveBeenCalledTimes(1);
    expect(kits.listPage.mock.calls.map(([, offset]) => offset)).toEqual([0]);
  });

  it('refuses an unknown filter value before any query', async () => {
    await expect(service.listKits({ design: 'tartan' }, 1, 10)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(kits.listPage).not.toHaveBeenCalled();
  });
});

describe('KitsService.clubKits', () => {
  it('answers 404 for an unknown club without reading its kits', async () => {
    clubs.exists.mockResolvedValue(false);
    await expect(service.clubKits(7, undefined, 1, 20)).rejects.toBeInstanceOf(ClubNotFoundError);
    expect(kits.clubKitsPage).not.toHaveBeenCalled();
  });

  it('pages the club kits filtered by season, falling back to the last page', async () => {
    kits.clubKitsPage.mockResolvedValue(kitRows(1, 40));
    kits.countClubKits.mockResolvedValue(21);
    const page = await service.clubKits(7, 3, 5, 20);
    expect(page.map((kit) => kit.id)).toEqual([40]);
    expect(kits.countClubKits).toHaveBeenCalledWith(7, 3);
    expect(kits.clubKitsPage.mock.calls).toEqual([[7, 3, 20, 20]]);
  });
});

describe('KitsService.searchKits', () => {
  it('runs no query for a blank keyword', async () => {
    expect(await service.searchKits('   ')).toEqual([]);
    expect(await service.searchKits(undefined)).toEqual([]);
    expect(kits.searchCandidates).not.toHaveBeenCalled();
  });

  it('stops at the first tier that finds something', async () => {
    kits.searchCandidates.mockResolvedValueOnce([]).mockResolvedValueOnce(kitRows(1));
    await service.searchKits('real madrid home');
    expect(kits.searchCandidates).toHaveBeenCalledTimes(2);
  });

  it('tries every tier, three at most, when none finds anything', async () => {
    kits.searchCandidates.mockResolvedValue([]);
    expect(await service.searchKits('real madrid home')).toEqual([]);
    expect(kits.searchCandidates).toHaveBeenCalledTimes(3);
  });
});

describe('KitsService.randomKits', () => {
  it('reads no page when no kit has an image', async () => {
    kits.countWithImage.mockResolvedValue(0);
    const answer = await service.randomKits(3, 10);
    expect(answer.kits).toEqual([]);
    expect(answer.pagination).toMatchObject({ current_page: 1, total_pages: 1, total_count: 0 });
    expect(kits.randomPage).not.toHaveBeenCalled();
  });

  it('draws from the last page when the requested one is past it', async () => {
    kits.countWithImage.mockResolvedValue(15);
    kits.randomPage.mockResolvedValue([]);
    const answer = await service.randomKits(9, 10);
    expect(kits.randomPage).toHaveBeenCalledWith(10, 10);
    expect(answer.pagination.current_page).toBe(2);
  });
});

describe('KitsService.updateKit', () => {
  it('writes only the fields the request names, ignores a null slug, lets null clear a colour, then reads the kit back', async () => {
    kits.save.mockResolvedValue(5);
    kits.findDetail.mockResolvedValue(null);
    // JSON can carry a null slug: the update DTO keeps nulls (`skipNullProperties: false`).
    const input = { name: 'Home', slug: null as unknown as string, primary_color_id: null };
    await expect(service.updateKit(5, input)).rejects.toBeInstanceOf(KitNotFoundError);
    expect(kits.save).toHaveBeenCalledWith(5, {
      columns: { name: 'Home', primaryColorId: null },
      competitionIds: undefined,
      secondaryColorIds: undefined,
    });
    expect(kits.findDetail).toHaveBeenCalledWith(5);
  });
});
