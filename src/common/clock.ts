import { DynamicModule, Global, Module } from '@nestjs/common';

/** Milliseconds since the epoch, as `Date.now`. */
export type Clock = () => number;

/**
 * Injection token of the application's wall clock, for what is cut into clock windows (the
 * hourly rate limit). `Date.now` in production; tests give a clock of their choosing
 * (`createApp(config, logger, { clock })`) instead of waiting for an hour to turn.
 */
export const CLOCK = Symbol('CLOCK');

@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = Date.now): DynamicModule {
    return { module: ClockModule, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}
