import { Injectable, OnModuleInit, RequestMethod, SetMetadata, Type } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PARAMTYPES_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { APP_GUARD, APP_INTERCEPTOR, APP_PIPE, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { ACCESS_KEY } from '../../common/auth/auth.decorators';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { RateLimitGuard } from '../../common/http/rate-limit.guard';
import { ParseIdPipe } from '../../common/validation/parse-id.pipe';
import { RequestValidationPipe } from '../../common/validation/request-validation.pipe';
import { InvalidationsBeforeResponseInterceptor } from '../outbox/invalidations-before-response';

const HIT_PATH_METADATA = 'fkapi:hitPath';

/**
 * Declares that the cache-hit path (`raw-fast-path.ts`) may answer this GET route from the cache
 * once the pipeline has answered a request with a cached read. The application refuses to start
 * when the route carries a step the hit path does not run ({@link HIT_PATH_STEPS}).
 */
export const HitPath = (): MethodDecorator => SetMetadata(HIT_PATH_METADATA, true);

/**
 * The steps of the pipeline that the hit path runs or whose outcome it keeps: the API-key guard
 * (its read check), the rate-limit guard (the same `RateLimiter`), and the validation pipes —
 * deterministic in the URL, so a request remembered after the pipeline validated it is valid
 * again. Anything else on a declared route (another guard, an interceptor, a pipe, a fixed
 * header or status, a redirect, a throttle override, public or admin access, a parameter read
 * from the request itself) could change an answer the hit path would not change.
 */
export const HIT_PATH_STEPS: {
  readonly guards: readonly Type[];
  readonly pipes: readonly Type[];
  readonly interceptors: readonly Type[];
} = {
  guards: [ApiKeyGuard, RateLimitGuard],
  pipes: [RequestValidationPipe, ParseIdPipe],
  // Holds a response until the invalidations its handler's writes parked are applied: a hit
  // runs no handler and writes nothing, so there is nothing for it to hold.
  interceptors: [InvalidationsBeforeResponseInterceptor],
};

/** What the hit path needs of a declared route: the query parameters its DTO reads. */
export interface RouteShape {
  readonly route: string;
  readonly queryNames: ReadonlySet<string>;
}

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

const nameOf = (enhancer: unknown): string =>
  typeof enhancer === 'function'
    ? enhancer.name
    : ((enhancer as object | null)?.constructor?.name ?? String(enhancer));
const classOf = (enhancer: unknown): unknown =>
  typeof enhancer === 'function' ? enhancer : (enhancer as object | null)?.constructor;

function joinPath(...parts: unknown[]): string {
  const segments = parts.map((part): unknown => (Array.isArray(part) ? (part as unknown[])[0] : part));
  const path = segments
    .filter((s): s is string => typeof s === 'string' && s !== '' && s !== '/')
    .map((s) => s.replace(/^\/+|\/+$/g, ''))
    .join('/');
  return `/${path}`;
}

/**
 * The routes that declare `@HitPath()`, checked when the application starts: one line naming
 * the route and the step refuses the start when a declared route carries a step the hit path
 * does not run; the pipeline's own enhancers (global guards, interceptors and pipes) are checked
 * the same way. The hit path remembers answers of declared routes only.
 */
@Injectable()
export class HitPathRoutes implements OnModuleInit {
  private readonly shapes = new Map<string, RouteShape>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  shapeOf(route: string): RouteShape | undefined {
    return this.shapes.get(route);
  }

  get declared(): readonly string[] {
    return [...this.shapes.keys()];
  }

  onModuleInit(): void {
    const declared: { controller: Type; method: string }[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const method of this.scanner.getAllMethodNames(controller.prototype as object)) {
        const handler = (controller.prototype as Record<string, unknown>)[method] as object;
        if (Reflect.getMetadata(HIT_PATH_METADATA, handler) === true) declared.push({ controller, method });
      }
    }
    if (declared.length === 0) return;
    const global = this.globalEnhancers();
    for (const { controller, method } of declared) this.declare(controller, method, global);
  }

  private declare(controller: Type, method: string, globalRefusals: string[]): void {
    const handler = (controller.prototype as Record<string, unknown>)[method] as object;
    const route = joinPath(
      Reflect.getMetadata(PATH_METADATA, controller),
      Reflect.getMetadata(PATH_METADATA, handler),
    );
    const refuse = (what: string): never => {
      throw new Error(
        `@HitPath on GET ${route} (${controller.name}.${method}): ${what}, which the cache-hit path does not run`,
      );
    };
    if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) refuse('not a GET route');
    if (globalRefusals.length > 0) refuse(globalRefusals[0]);
    for (const target of [handler, controller]) {
      for (const guard of (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[]) ?? [])
        refuse(`guard ${nameOf(guard)}`);
      for (const interceptor of (Reflect.getMetadata(INTERCEPTORS_METADATA, target) as unknown[]) ?? [])
        if (!HIT_PATH_STEPS.interceptors.includes(classOf(interceptor) as Type))
          refuse(`interceptor ${nameOf(interceptor)}`);
      for (const pipe of (Reflect.getMetadata(PIPES_METADATA, target) as unknown[]) ?? [])
        if (!HIT_PATH_STEPS.pipes.includes(classOf(pipe) as Type)) refuse(`pipe ${nameOf(pipe)}`);
      const access = Reflect.getMetadata(ACCESS_KEY, target) as string | undefined;
      if (access !== undefined) refuse(`${access} access`);
      for (const key of Reflect.getMetadataKeys(target) as unknown[])
        if (typeof key === 'string' && key.startsWith('THROTTLER:')) refuse(`a throttle setting (${key})`);
    }
    if (((Reflect.getMetadata(HEADERS_METADATA, handler) as unknown[]) ?? []).length > 0)
      refuse('a fixed response header (@Header)');
    for (const [key, what] of [
      [HTTP_CODE_METADATA, 'a fixed status (@HttpCode)'],
      [REDIRECT_METADATA, 'a redirect'],
      [RENDER_METADATA, 'a rendered template'],
      [SSE_METADATA, 'server-sent events'],
    ] as const) {
      if (Reflect.getMetadata(key, handler) !== undefined) refuse(what);
    }
    this.shapes.set(route, { route, queryNames: this.queryNames(controller, method, refuse) });
  }

  /** The query parameters the route reads; refuses arguments the URL does not determine. */
  private queryNames(controller: Type, method: string, refuse: (what: string) => never): Set<string> {
    const names = new Set<string>();
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
      string,
      RouteArgument
    >;
    const types = (Reflect.getMetadata(PARAMTYPES_METADATA, controller.prototype as object, method) ??
      []) as unknown[];
    for (const [key, argument] of Object.entries(args)) {
      const kind = Number(key.split(':')[0]) as RouteParamtypes;
      for (const pipe of argument.pipes ?? [])
        if (!HIT_PATH_STEPS.pipes.includes(classOf(pipe) as Type)) refuse(`pipe ${nameOf(pipe)}`);
      if (kind === RouteParamtypes.PARAM) continue;
      if (kind !== RouteParamtypes.QUERY)
        refuse(`an argument read from the request (${RouteParamtypes[kind] ?? key})`);
      if (typeof argument.data === 'string') {
        names.add(argument.data);
        continue;
      }
      const dto = types[argument.index];
      if (typeof dto !== 'function') refuse('a query argument without a DTO');
      for (const rule of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false))
        names.add(rule.propertyName);
    }
    return names;
  }

  /** Reasons to refuse from the application-wide guards, interceptors and pipes. */
  private globalEnhancers(): string[] {
    const refusals: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const token = wrapper.token;
      if (typeof token !== 'string') continue;
      const kind = token.split(' ')[0];
      if (kind === APP_GUARD && !HIT_PATH_STEPS.guards.includes(classOf(wrapper.instance) as Type))
        refusals.push(`global guard ${nameOf(wrapper.instance)}`);
      if (
        kind === APP_INTERCEPTOR &&
        !HIT_PATH_STEPS.interceptors.includes(classOf(wrapper.instance) as Type)
      )
        refusals.push(`global interceptor ${nameOf(wrapper.instance)}`);
      if (kind === APP_PIPE && !HIT_PATH_STEPS.pipes.includes(classOf(wrapper.instance) as Type))
        refusals.push(`global pipe ${nameOf(wrapper.instance)}`);
    }
    return refusals;
  }
}
