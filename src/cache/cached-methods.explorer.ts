import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CacheKeyParts, CachedMetadata, getCachedMetadata } from './cached.decorator';
import { cacheTypeOf, entryKey } from './cache-key';
import { CacheService } from './cache.service';

const isPositional = (parts: CacheKeyParts): parts is readonly unknown[] => Array.isArray(parts);

function keyOf(metadata: CachedMetadata, args: unknown[]): string {
  const parts = metadata.key ? metadata.key(...args) : args;
  return isPositional(parts)
    ? entryKey(metadata.prefix, parts)
    : entryKey(metadata.prefix, parts.args, parts.kwargs);
}

/**
 * Wraps every `@Cached` method of every singleton provider when the application starts: the
 * instance gets an own property that reads through {@link CacheService}, the prototype stays
 * untouched. Runs before the first request (module init), after every provider was built.
 */
@Injectable()
export class CachedMethodsExplorer implements OnModuleInit {
  private readonly logger = new Logger('Cache');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        const metadata = getCachedMetadata(method);
        if (!metadata) continue;
        if (!wrapper.isDependencyTreeStatic()) {
          throw new Error(`@Cached on ${wrapper.name}.${name}: only singleton providers can be cached`);
        }
        this.wrap(
          instance as Record<string, unknown>,
          name,
          method as (...args: unknown[]) => Promise<unknown>,
          metadata,
        );
        this.logger.debug(`Caching ${wrapper.name}.${name} under ${metadata.prefix}_…`);
      }
    }
  }

  private wrap(
    instance: Record<string, unknown>,
    name: string,
    method: (...args: unknown[]) => Promise<unknown>,
    metadata: CachedMetadata,
  ): void {
    const cache = this.cache;
    const cacheType = metadata.cacheType ?? cacheTypeOf(metadata.prefix);
    const ttlSeconds = metadata.ttl ?? this.config.cacheTtlSeconds;
    const cached = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      let key: string;
      try {
        key = keyOf(metadata, args);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return cache.read({ key, cacheType, ttlSeconds, tags: (value) => metadata.tags(value, ...args) }, () =>
        method.apply(instance, args),
      );
    };
    Object.defineProperty(cached, 'name', { value: name });
    instance[name] = cached;
  }
}
