import { DataSource } from 'typeorm';
import { Brand } from '../../src/brands/brand.entity';
import { Club } from '../../src/clubs/club.entity';
import { Color } from '../../src/colors/color.entity';
import { Competition } from '../../src/competitions/competition.entity';
import { KitType } from '../../src/kit-types/kit-type.entity';
import { Kit } from '../../src/kits/kit.entity';
import { Season } from '../../src/seasons/season.entity';

let sequence = 0;
const next = (): number => ++sequence;

/** Factories: each builds one row with sensible unique defaults; tests override what they assert on. */
export async function makeClub(ds: DataSource, overrides: Partial<Club> = {}): Promise<Club> {
  const n = next();
  return ds.getRepository(Club).save(
    Object.assign(new Club(), {
      name: `Club ${n}`,
      slug: `club-${n}-kits`,
      idFka: null,
      logo: `https://img.example/clubs/${n}.png`,
      logoDark: null,
      country: 'GB',
      ...overrides,
    }),
  );
}

export async function makeSeason(ds: DataSource, overrides: Partial<Season> = {}): Promise<Season> {
  const first = 1900 + (next() % 120);
  const year = overrides.year ?? `${first}-${String((first + 1) % 100).padStart(2, '0')}`;
  const existing = await ds.getRepository(Season).findOneBy({ year });
  if (existing) return existing;
  return ds.getRepository(Season).save(
    Object.assign(new Season(), {
      year,
      firstYear: year.slice(0, 4),
      secondYear: year.length > 4 ? String(Number(year.slice(0, 4)) + 1) : null,
      ...overrides,
    }),
  );
}

export async function makeBrand(ds: DataSource, overrides: Partial<Brand> = {}): Promise<Brand> {
  const n = next();
  return ds.getRepository(Brand).save(
    Object.assign(new Brand(), {
      name: `Brand ${n}`,
      slug: `brand-${n}-kits`,
      logo: null,
      logoDark: null,
      ...overrides,
    }),
  );
}

export async function makeCompetition(
  ds: DataSource,
  overrides: Partial<Competition> = {},
): Promise<Competition> {
  const n = next();
  return ds.getRepository(Competition).save(
    Object.assign(new Competition(), {
      name: `League ${n}`,
      slug: `league-${n}-kits`,
      logo: null,
      logoDark: null,
      country: 'GB',
      ...overrides,
    }),
  );
}

export async function makeKitType(ds: DataSource, overrides: Partial<KitType> = {}): Promise<KitType> {
  return ds.getRepository(KitType).save(
    Object.assign(new KitType(), {
      name: 'Home',
      category: 'match',
      categoryOrder: 1,
      orderPriority: 1,
      isGoalkeeper: false,
      ...overrides,
    }),
  );
}

export function colorByName(ds: DataSource, name: string): Promise<Color> {
  return ds.getRepository(Color).findOneByOrFail({ name });
}

export interface KitParts {
  team?: Club;
  season?: Season;
  type?: KitType;
  brand?: Brand;
  competitions?: Competition[];
  primaryColor?: Color | null;
  secondaryColors?: Color[];
}

export async function makeKit(
  ds: DataSource,
  parts: KitParts = {},
  overrides: Partial<Kit> = {},
): Promise<Kit> {
  const n = next();
  const team = parts.team ?? (await makeClub(ds));
  const season = parts.season ?? (await makeSeason(ds));
  const type = parts.type ?? (await makeKitType(ds));
  const brand = parts.brand ?? (await makeBrand(ds));
  return ds.getRepository(Kit).save(
    Object.assign(new Kit(), {
      name: `${team.name} ${season.year} ${type.name}`,
      slug: `kit-${n}-kit`,
      sourceKitId: null,
      teamId: team.id,
      seasonId: season.id,
      typeId: type.id,
      brandId: brand.id,
      mainImgUrl: `https://img.example/kits/${n}.jpg`,
      rating: 0,
      fhLink: null,
      webUpdated: null,
      primaryColorId: parts.primaryColor?.id ?? null,
      competitions: parts.competitions ?? [],
      secondaryColors: parts.secondaryColors ?? [],
      design: null,
      ...overrides,
    }),
  );
}
