// The stock peer on Nest's default platform (Express). See peer.module.ts.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { exitOnStartFailure, readPeerEnv } from './peer-env';
import { PeerModule } from './peer.module';

async function bootstrap(): Promise<void> {
  const env = readPeerEnv('peer-express');
  const app = await NestFactory.create(PeerModule.forRoot(env), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(env.port, env.host);
}

bootstrap().catch(exitOnStartFailure('express peer'));
