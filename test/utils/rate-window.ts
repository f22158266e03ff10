import { Clock } from '../../src/common/clock';

const HOUR_MS = 3_600_000;

/**
 * Rate-limit windows are clock hours: a test that counts requests against the limit must not see
 * an hour turn in the middle (the count would reset). The test apps run on this clock instead of
 * waiting for an hour to begin: the real time, shifted so that it reads one second past the start
 * of an hour when this module is loaded (once per test file: every app of a file, and every
 * instance sharing counts through Redis, is in the same window for the next 59 minutes).
 */
const OFFSET_MS = HOUR_MS - (Date.now() % HOUR_MS) + 1000;

export const rateWindowClock: Clock = () => Date.now() + OFFSET_MS;
