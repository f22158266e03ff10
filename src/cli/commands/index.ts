import { CliCommand } from '../command';
import { cacheCommand } from './cache.command';
import { helpCommand } from './help.command';
import { migrateCommand } from './migrate.command';
import { seedCommand } from './seed.command';

/** Every CLI command; a new one is a file in this folder and a line here. */
export const COMMANDS: readonly CliCommand[] = [seedCommand, migrateCommand, cacheCommand, helpCommand];
