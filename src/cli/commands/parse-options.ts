import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from '../command';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs, strict, no positionals; its errors become a {@link UsageError} with
 * the first sentence of its message only.
 */
export function parseOptions<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // Not `instanceof Error`: under jest the error comes from another realm.
    const { message } = error as { message: string };
    throw new UsageError(message.split('. ')[0].replace(/\.$/, ''));
  }
}
