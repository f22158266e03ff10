/**
 * Word material for the generated catalogue. Every club, city, league and brand name built from
 * it is invented (syllables put together, generic club words); country names are plain country
 * names. Nothing here is copied from a kit site. The mix of languages and accents is deliberate:
 * it makes the generated names a fair test of accent-insensitive trigram search.
 */

/** A naming tradition: how a country's towns sound and how its clubs are usually called. */
export interface NamingStyle {
  townStarts: readonly string[];
  townEnds: readonly string[];
  /** "Real …", "FC …". */
  prefixes: readonly string[];
  /** "… United", "… FC". */
  suffixes: readonly string[];
}

// prettier-ignore
const IBERIAN: NamingStyle = {
  townStarts: ['Val', 'Mar', 'Cor', 'San', 'Alb', 'Vil', 'Cas', 'Gra', 'Sal', 'Mál', 'Cór', 'Zár', 'Ávi', 'Ter', 'Mon', 'Lor', 'Bad', 'Alc', 'Pon', 'Bel'],
  townEnds: ['ona', 'ago', 'ía', 'ovia', 'ino', 'ente', 'era', 'ano', 'ida', 'eira', 'ança', 'ares', 'illa', 'uña', 'ejo', 'ón', 'és', 'aga', 'oz', 'ero'],
  prefixes: ['Real', 'Atlético', 'Deportivo', 'Sporting', 'Racing', 'Unión', 'CD', 'UD', 'Club', 'Estrella'],
  suffixes: ['CF', 'FC', 'SC', 'Atlético', 'Balompié', 'Esporte Clube', 'Juniors', 'Unidos'],
};

// prettier-ignore
const GERMANIC: NamingStyle = {
  townStarts: ['Lind', 'Ost', 'Hal', 'Brem', 'Kas', 'Wolf', 'Dürn', 'Gö', 'Mün', 'Düs', 'Stein', 'Rhein', 'Ober', 'Alt', 'Neu', 'Frei', 'Hoh', 'Rot', 'Schön', 'Eich'],
  townEnds: ['burg', 'heim', 'stadt', 'dorf', 'hausen', 'berg', 'feld', 'bach', 'au', 'ingen', 'thal', 'brück', 'hof', 'wald', 'see', 'mark'],
  prefixes: ['FC', 'SV', 'VfB', 'TSV', 'SC', '1. FC', 'Borussia', 'Fortuna', 'Eintracht', 'Union', 'Viktoria', 'Germania'],
  suffixes: ['FC', 'SV', 'Kickers', '04', '09', '1899'],
};

// prettier-ignore
const BRITISH: NamingStyle = {
  townStarts: ['Wes', 'Ash', 'Brom', 'Dun', 'Kil', 'Tor', 'Brad', 'Hart', 'Black', 'Stan', 'Chel', 'Wick', 'Ald', 'Bur', 'Mor', 'Pen', 'Fal', 'Nor', 'Sut', 'Crow'],
  townEnds: ['ford', 'ham', 'mouth', 'field', 'ton', 'bury', 'wick', 'ley', 'caster', 'pool', 'chester', 'borough', 'stone', 'bridge', 'combe', 'ridge'],
  prefixes: ['AFC', 'Real', 'Sporting', 'Inter', 'Athletic'],
  suffixes: ['United', 'City', 'Town', 'Rovers', 'Wanderers', 'Athletic', 'Albion', 'County', 'FC', 'Harriers', 'Rangers', 'Borough', 'Argyle', 'Thistle'],
};

// prettier-ignore
const ITALIAN: NamingStyle = {
  townStarts: ['Cal', 'Ver', 'Pes', 'Fer', 'Lu', 'Mon', 'Tre', 'Cam', 'Sav', 'Ro', 'Bor', 'Cin', 'Ales', 'Vi', 'Gu', 'Pa', 'Fior', 'Cor', 'Ter', 'Spo'],
  townEnds: ['ino', 'ona', 'ello', 'ara', 'enza', 'iano', 'ese', 'ica', 'ate', 'ano', 'etto', 'ola', 'ente', 'ia', 'è', 'ù'],
  prefixes: ['AC', 'US', 'AS', 'SS', 'Virtus', 'Pro', 'Polisportiva', 'Unione'],
  suffixes: ['Calcio', 'FC', '1909', 'Sport', 'Città'],
};

// prettier-ignore
const FRENCH: NamingStyle = {
  townStarts: ['Mont', 'Beau', 'Saint-Ré', 'Val', 'Bel', 'Ro', 'Cha', 'Lor', 'Ver', 'Ang', 'Bre', 'Gre', 'Nan', 'Cour', 'Châ', 'Pé', 'Sé', 'Mé'],
  townEnds: ['ville', 'court', 'mont', 'ac', 'ière', 'ais', 'eux', 'lieu', 'bourg', 'ay', 'on', 'elle', 'ès', 'gnac', 'zières'],
  prefixes: ['Olympique', 'Stade', 'AS', 'FC', 'Racing', 'US', 'SC', 'En Avant', 'Étoile', 'Red Star'],
  suffixes: ['FC', 'Foot', 'AC', 'Sports', 'Olympique'],
};

// prettier-ignore
const NORTHERN_EASTERN: NamingStyle = {
  townStarts: ['Kö', 'Ål', 'Sten', 'Bjö', 'Hel', 'Tro', 'Sund', 'Ös', 'Vä', 'Łó', 'Kra', 'Sze', 'Bog', 'Pet', 'Nik', 'Dob', 'Zla', 'Novo', 'Ple', 'Čes'],
  townEnds: ['vik', 'holm', 'by', 'stad', 'ås', 'sund', 'ovo', 'ice', 'ów', 'ava', 'ograd', 'ec', 'in', 'sk', 'ina', 'köping'],
  prefixes: ['IF', 'IK', 'FK', 'NK', 'Dinamo', 'Spartak', 'Lokomotiv', 'Slavia', 'Polonia', 'Rapid', 'Dynamo', 'Hajduk'],
  suffixes: ['IF', 'FK', 'BK', 'FF', 'IK', 'Sportklubb'],
};

export interface Country {
  /** ISO 3166-1 alpha-2. */
  code: string;
  name: string;
  style: NamingStyle;
}

export const COUNTRIES: readonly Country[] = [
  { code: 'GB', name: 'England', style: BRITISH },
  { code: 'ES', name: 'Spain', style: IBERIAN },
  { code: 'IT', name: 'Italy', style: ITALIAN },
  { code: 'DE', name: 'Germany', style: GERMANIC },
  { code: 'FR', name: 'France', style: FRENCH },
  { code: 'PT', name: 'Portugal', style: IBERIAN },
  { code: 'NL', name: 'Netherlands', style: GERMANIC },
  { code: 'BR', name: 'Brazil', style: IBERIAN },
  { code: 'AR', name: 'Argentina', style: IBERIAN },
  { code: 'BE', name: 'Belgium', style: FRENCH },
  { code: 'SE', name: 'Sweden', style: NORTHERN_EASTERN },
  { code: 'MX', name: 'Mexico', style: IBERIAN },
  { code: 'AT', name: 'Austria', style: GERMANIC },
  { code: 'PL', name: 'Poland', style: NORTHERN_EASTERN },
  { code: 'IE', name: 'Ireland', style: BRITISH },
  { code: 'CH', name: 'Switzerland', style: GERMANIC },
  { code: 'NO', name: 'Norway', style: NORTHERN_EASTERN },
  { code: 'CL', name: 'Chile', style: IBERIAN },
  { code: 'DK', name: 'Denmark', style: NORTHERN_EASTERN },
  { code: 'US', name: 'United States', style: BRITISH },
  { code: 'CZ', name: 'Czechia', style: NORTHERN_EASTERN },
  { code: 'UY', name: 'Uruguay', style: IBERIAN },
  { code: 'HR', name: 'Croatia', style: NORTHERN_EASTERN },
  { code: 'AU', name: 'Australia', style: BRITISH },
  { code: 'CO', name: 'Colombia', style: IBERIAN },
];

/** National sides of a country, in the order they are added as the catalogue grows. */
export const NATIONAL_TEAM_VARIANTS = ['', ' Women', ' U21', ' U19'] as const;

/** League tiers by division index; below the last, regional groups. */
export const DIVISION_NAMES = [
  'Premier Division',
  'First Division',
  'Second Division',
  'Third Division',
  'National League',
] as const;

/** Competitions every catalogue has, after the leagues and cups. */
export const CONTINENTAL_COMPETITIONS = [
  'Continental Champions Cup',
  'Continental League',
  'Continental Conference Trophy',
] as const;
export const NATIONAL_TEAM_COMPETITIONS = ['World Nations Cup', 'Nations Championship'] as const;

// prettier-ignore
export const BRAND_WORDS = [
  'Kestrel', 'Voltra', 'Arcus', 'Nomada', 'Tessera', 'Halcón', 'Boreal', 'Strada', 'Fjell', 'Mistral',
  'Lumen', 'Cobalt', 'Sable', 'Trident', 'Vireo', 'Onda', 'Rivale', 'Astralis', 'Corsa', 'Falco',
  'Talon', 'Meridian', 'Ardent', 'Calibre', 'Solano', 'Nordvik', 'Kairos', 'Velox', 'Aurum', 'Ferro',
  'Brisa', 'Tundra', 'Pampa', 'Sirocco', 'Grano', 'Orbita', 'Quill', 'Rune', 'Tempo', 'Vanta',
  'Wyvern', 'Yonder', 'Zéfiro', 'Éclat', 'Söder',
] as const;
export const BRAND_SUFFIXES = ['', ' Sport', ' Athletics', ' Teamwear'] as const;

/** How often each design appears; plain shirts are the most common by far. */
export const DESIGN_WEIGHTS: Readonly<Record<string, number>> = {
  Plain: 30,
  Stripes: 10,
  Graphic: 10,
  'Chest band': 5,
  'Contrasting sleeves': 6,
  Pinstripes: 4,
  Hoops: 5,
  'Single stripe': 3,
  'Half-and-half': 3,
  Sash: 3,
  Chevron: 2,
  Checkers: 2,
  Gradient: 4,
  Diagonal: 2,
  Cross: 1,
  Quarters: 1,
};

/** Club colours: how often each colour is a club's main colour. */
export const CLUB_COLOR_WEIGHTS: Readonly<Record<string, number>> = {
  Red: 20,
  Blue: 18,
  White: 14,
  Black: 8,
  Yellow: 7,
  Green: 7,
  'Sky blue': 5,
  Navy: 5,
  Orange: 3,
  Claret: 4,
  Purple: 3,
  Gray: 1,
  Pink: 1,
  Brown: 1,
  Gold: 1,
  Silver: 1,
  'Off-white': 1,
};

/** Goalkeeper shirts stand out from both teams. */
export const GOALKEEPER_COLORS = [
  'Yellow',
  'Green',
  'Orange',
  'Black',
  'Gray',
  'Purple',
  'Pink',
  'Sky blue',
] as const;
