import { ClubsRepository } from '../../src/clubs/clubs.repository';
import { ClubNotFoundError } from '../../src/clubs/clubs.errors';
import { Season } from '../../src/seasons/season.entity';
import { SeasonNotFoundError } from '../../src/seasons/seasons.errors';
import { SeasonsRepository } from '../../src/seasons/seasons.repository';
import { SeasonsService } from '../../src/seasons/seasons.service';

const season = (fields: Partial<Season>): Season =>
  Object.assign(new Season(), { id: 4, year: '2024-25', firstYear: '2024', secondYear: '2025', ...fields });

let seasons: jest.Mocked<
  Pick<SeasonsRepository, 'findById' | 'findByClub' | 'findCandidates' | 'save' | 'remove'>
>;
let clubs: jest.Mocked<Pick<ClubsRepository, 'exists'>>;
let service: SeasonsService;

beforeEach(() => {
  seasons = {
    findById: jest.fn(),
    findByClub: jest.fn(),
    findCandidates: jest.fn(),
    // The database gives the row an id; the rest is what the service decided.
    save: jest.fn((row: Season) => Promise.resolve(Object.assign(row, { id: row.id ?? 9 }))),
    remove: jest.fn(),
  };
  clubs = { exists: jest.fn() };
  service = new SeasonsService(seasons as unknown as SeasonsRepository, clubs as unknown as ClubsRepository);
});

describe('SeasonsService.createSeason', () => {
  it('derives both calendar years from the year when neither is given', async () => {
    expect(await service.createSeason({ year: '1999-00' })).toEqual({
      id: 9,
      year: '1999-00',
      first_year: '1999',
      second_year: '2000',
    });
  });

  it('keeps the years the request gives, including an explicit null second year', async () => {
    const created = await service.createSeason({ year: '2024-25', first_year: '2023', second_year: null });
    expect(created).toMatchObject({ first_year: '2023', second_year: null });
  });

  it('has no second year for a single-year season', async () => {
    expect(await service.createSeason({ year: '2024' })).toMatchObject({
      first_year: '2024',
      second_year: null,
    });
  });
});

describe('SeasonsService.updateSeason', () => {
  it('re-derives both years when the year changes', async () => {
    seasons.findById.mockResolvedValue(season({}));
    expect(await service.updateSeason(4, { year: '2023-2024' })).toMatchObject({
      year: '2023-2024',
      first_year: '2023',
      second_year: '2024',
    });
  });

  it('keeps hand-set years when the same year is sent again', async () => {
    seasons.findById.mockResolvedValue(season({ firstYear: '2030', secondYear: null }));
    expect(await service.updateSeason(4, { year: '2024-25' })).toMatchObject({
      first_year: '2030',
      second_year: null,
    });
  });

  it('lets given years win over the derived ones', async () => {
    seasons.findById.mockResolvedValue(season({}));
    expect(await service.updateSeason(4, { year: '2010-11', second_year: '2012' })).toMatchObject({
      first_year: '2010',
      second_year: '2012',
    });
  });

  it('answers 404 for an unknown season without writing', async () => {
    seasons.findById.mockResolvedValue(null);
    await expect(service.updateSeason(4, { year: '2024' })).rejects.toBeInstanceOf(SeasonNotFoundError);
    expect(seasons.save).not.toHaveBeenCalled();
  });
});

describe('SeasonsService.seasonsOfClub', () => {
  it('does not look the club up when it has seasons', async () => {
    seasons.findByClub.mockResolvedValue([season({})]);
    expect(await service.seasonsOfClub(3)).toEqual([{ id: 4, year: '2024-25' }]);
    expect(clubs.exists).not.toHaveBeenCalled();
  });

  it('tells an existing club without seasons from an unknown club', async () => {
    seasons.findByClub.mockResolvedValue([]);
    clubs.exists.mockResolvedValueOnce(true).mockResolvedValueOnce(false);
    expect(await service.seasonsOfClub(3)).toEqual([]);
    await expect(service.seasonsOfClub(3)).rejects.toBeInstanceOf(ClubNotFoundError);
  });
});

describe('SeasonsService.searchSeasons', () => {
  it('runs no query for a blank keyword', async () => {
    expect(await service.searchSeasons('  ')).toEqual([]);
    expect(seasons.findCandidates).not.toHaveBeenCalled();
  });
});
