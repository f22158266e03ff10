import helmet, { FastifyHelmetOptions } from '@fastify/helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Security headers for what the API answers: JSON, never rendered as a page. The set a REST API
 * needs (OWASP REST Security cheat sheet): no content may load or frame it, HSTS, no MIME
 * sniffing, no framing, no referrer. The headers helmet adds for HTML documents (opener and
 * agent-cluster isolation, DNS prefetch, IE download and XSS filters, Flash policies) would only
 * make every answer 0.6 KB longer — and every cached hit a little slower to write.
 */
const API_POLICY: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * The Swagger UI's pages and assets get helmet's defaults for documents, which the UI works
 * under (its scripts and styles are files served from `self`; inline styles are allowed by the
 * default `style-src`), except `upgrade-insecure-requests`: the API is often reached over plain
 * HTTP on localhost or behind a TLS-terminating proxy, where upgrading the UI's requests to
 * https would break it.
 */
const DOCUMENT_POLICY: FastifyHelmetOptions = {
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  // Route options are merged over the API policy: turn its omissions back into helmet's defaults.
  crossOriginOpenerPolicy: true,
  crossOriginResourcePolicy: true,
  originAgentCluster: true,
  xDnsPrefetchControl: true,
  xDownloadOptions: true,
  xFrameOptions: true,
  xPermittedCrossDomainPolicies: true,
  xXssProtection: true,
};

/** Routes of the Swagger UI (`openapi.ts`): `/docs…` and `/api/docs…`. */
export function isDocumentRoute(url: string): boolean {
  return url.startsWith('/docs') || url.startsWith('/api/docs');
}

/** `@fastify/helmet` on every response: the API policy, the document policy for the Swagger UI. */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  // Before helmet's own onRoute hook, which reads the route's `helmet` option.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (isDocumentRoute(route.url)) Object.assign(route, { helmet: DOCUMENT_POLICY });
    });
  await app.register(helmet, API_POLICY);
}
