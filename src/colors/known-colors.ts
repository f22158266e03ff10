/**
 * The hex codes of the colour names the original seeds (and the kit-list filter accepts): a
 * colour created by one of these names without a code gets its usual one.
 */
export const KNOWN_COLOR_CODES: ReadonlyMap<string, string> = new Map([
  ['White', '#FFFFFF'],
  ['Red', '#FF0000'],
  ['Blue', '#0000FF'],
  ['Black', '#000000'],
  ['Yellow', '#FFFF00'],
  ['Green', '#008000'],
  ['Sky blue', '#87CEEB'],
  ['Navy', '#000080'],
  ['Orange', '#FFA500'],
  ['Gray', '#808080'],
  ['Claret', '#7F1734'],
  ['Purple', '#800080'],
  ['Pink', '#FFC0CB'],
  ['Brown', '#964B00'],
  ['Gold', '#BFAB40'],
  ['Silver', '#C0C0C0'],
  ['Off-white', '#F5F5F5'],
]);

/** The column default of the original's model. */
export const DEFAULT_COLOR_CODE = '#FF0000';
