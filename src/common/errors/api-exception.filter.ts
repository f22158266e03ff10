import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from './error-mapping';

/** The one place where errors become responses: `{"detail", "code", "request_id"}` for every 4xx/5xx. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, detail, code, unexpected, extra } = mapError(exception);
  if (unexpected) {
    // The request's logger: the line carries `request_id`, the id the body below gives the client.
    request.log.error(
      { err: exception, method: request.method, url: request.url, status, context: 'HTTP' },
      'unexpected error',
    );
  }
  if (reply.sent) return;
  if (status === 503) reply.header('retry-after', '5');
  void reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send({ ...extra, detail, code, request_id: request.id });
}
