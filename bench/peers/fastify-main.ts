// The stock peer on the Fastify platform, as our API runs. See peer.module.ts.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { exitOnStartFailure, readPeerEnv } from './peer-env';
import { PeerModule } from './peer.module';

async function bootstrap(): Promise<void> {
  const env = readPeerEnv('peer-fastify');
  const app = await NestFactory.create<NestFastifyApplication>(
    PeerModule.forRoot(env),
    new FastifyAdapter(),
    {
      logger: ['error', 'warn'],
    },
  );
  app.enableShutdownHooks();
  await app.listen({ port: env.port, host: env.host });
}

bootstrap().catch(exitOnStartFailure('fastify peer'));
