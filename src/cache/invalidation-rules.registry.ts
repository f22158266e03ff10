import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EntityClass, getInvalidatesOn, InvalidationRules } from './invalidation-rules';

/** Entities no cached read contains (the outbox, …): they need no rules. */
export const NOT_CACHED_ENTITIES = Symbol('NOT_CACHED_ENTITIES');

/**
 * Every `@InvalidatesOn` provider of the application, by entity, found when the application
 * starts (as `CachedMethodsExplorer` finds `@Cached`). The start fails, naming the entity, when
 * an entity registered in the DataSource has no `changed` rule and is not declared uncached: a
 * cached read containing it would otherwise go stale on its writes without anything noticing.
 */
@Injectable()
export class InvalidationRulesRegistry implements OnModuleInit {
  private readonly byEntity = new Map<EntityClass, InvalidationRules[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly dataSource: DataSource,
    @Optional() @Inject(NOT_CACHED_ENTITIES) private readonly notCached: readonly EntityClass[] = [],
  ) {}

  onModuleInit(): void {
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const entities = getInvalidatesOn(wrapper.metatype);
      const instance: unknown = wrapper.instance;
      if (!entities || !instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      if (!wrapper.isDependencyTreeStatic()) {
        throw new Error(`@InvalidatesOn on ${wrapper.name}: only singleton providers can hold rules`);
      }
      for (const entity of entities) {
        const rules = this.byEntity.get(entity) ?? [];
        rules.push(instance);
        this.byEntity.set(entity, rules);
      }
    }
    this.checkEveryEntityHasRules();
  }

  /** The rules declared for `entity` (none for an uncached one). */
  rulesFor(entity: unknown): readonly InvalidationRules[] {
    return this.byEntity.get(entity as EntityClass) ?? [];
  }

  private checkEveryEntityHasRules(): void {
    for (const metadata of this.dataSource.entityMetadatas) {
      const target = metadata.target;
      if (metadata.isJunction || typeof target !== 'function' || this.notCached.includes(target)) continue;
      if (this.rulesFor(target).some((rules) => rules.changed)) continue;
      throw new Error(
        `entity ${target.name} has no invalidation rules: declare a provider with ` +
          `@InvalidatesOn(${target.name}) and a changed() rule in its module, or list it as not cached`,
      );
    }
  }
}
