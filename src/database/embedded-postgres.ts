import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export function startEmbeddedPostgres(_config: AppConfig, _logger: Logger): Promise<EmbeddedPostgres> {
  return Promise.reject(new Error('embedded PostgreSQL: not written yet'));
}
