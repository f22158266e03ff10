// The ceiling: the least a NestJS 12 + Fastify app can do to answer GET /api/kits/:id, a constant
// kit JSON serialised once at start. Our cached read is compared with it.
//
// Environment: PORT, HOST (default 127.0.0.1), KIT_BODY (the JSON to answer; the runner passes a
// real kit detail body of ours so both send the same number of bytes).
import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

const KIT_BODY = process.env.KIT_BODY ?? JSON.stringify({ id: 1, name: 'Constant kit' });

@Controller('api')
class CeilingController {
  @Get('kits/:id')
  @Header('Content-Type', 'application/json; charset=utf-8')
  findOne(): string {
    return KIT_BODY;
  }
}

@Module({ controllers: [CeilingController] })
class CeilingModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(CeilingModule, new FastifyAdapter(), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await app.listen({ port: Number(process.env.PORT ?? 3100), host: process.env.HOST ?? '127.0.0.1' });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `ceiling failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
