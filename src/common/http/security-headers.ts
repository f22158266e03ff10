import helmet from '@fastify/helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Security headers on every response (`@fastify/helmet`: nosniff, frame and referrer policies,
 * HSTS, a content security policy, no `X-Powered-By`). The policy is helmet's default, which the
 * Swagger UI at `/docs` works under (its scripts and styles are files served from `self`; inline
 * styles are allowed by the default `style-src`), except `upgrade-insecure-requests`: the API is
 * often reached over plain HTTP on localhost or behind a TLS-terminating proxy, where upgrading
 * the UI's requests to https would break it.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
}
