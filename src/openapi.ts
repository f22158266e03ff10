import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorBodyDto, ValidationIssueDto } from './common/errors/error-body';
import { applyOpenApiConventions } from './openapi-conventions';

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Football Kit Archive API')
    .setDescription(
      'FKApi: football kits, clubs, seasons, brands and competitions, served from an exact, tag-invalidated Redis cache. ' +
        'Every error is JSON: `{"detail", "code", "request_id"}`; validation errors answer 422 with a list in `detail`.',
    )
    .setVersion('1.0.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  return applyOpenApiConventions(
    SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto, ValidationIssueDto] }),
  );
}

/**
 * Swagger UI at `/docs` and the reference's `/api/docs`; JSON at `/docs-json` and
 * `/api/openapi.json`; `GET /` redirects (302) to `/api/docs`, as the original does.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
  });
  app
    .getHttpAdapter()
    .getInstance()
    .get('/', (_request, reply) => reply.redirect('/api/docs', 302));
}
