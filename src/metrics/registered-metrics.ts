import {
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Registry,
} from 'prom-client';

/**
 * The metric of this name in `registry`, created there if it is not yet: several applications in
 * one process (the e2e tests) then share one instead of failing on a duplicate registration.
 */
export function registered<M>(registry: Registry, name: string, create: (registers: Registry[]) => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create([registry]);
}

export const counter = <T extends string>(registry: Registry, config: CounterConfiguration<T>): Counter<T> =>
  registered(registry, config.name, (registers) => new Counter<T>({ ...config, registers }));
export const gauge = <T extends string>(registry: Registry, config: GaugeConfiguration<T>): Gauge<T> =>
  registered(registry, config.name, (registers) => new Gauge<T>({ ...config, registers }));
export const histogram = (registry: Registry, config: HistogramConfiguration<string>): Histogram =>
  registered(registry, config.name, (registers) => new Histogram({ ...config, registers }));
