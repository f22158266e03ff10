import { OutputStream } from '../../src/cli/command';
import { runCli } from '../../src/cli/run-cli';
import { loadConfig } from '../../src/config/app-config';

/** An output stream a CLI test reads back. */
export class CapturedOutput implements OutputStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  get lines(): string[] {
    return this.text.split('\n').filter(Boolean);
  }
}

/** Runs the CLI in process with this configuration, capturing what it prints. */
export async function runCliCaptured(
  env: Record<string, string | undefined>,
  argv: string[],
): Promise<{ code: number; stdout: CapturedOutput; stderr: CapturedOutput }> {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const code = await runCli(argv, { io: { stdout, stderr }, readConfig: () => loadConfig(env) });
  return { code, stdout, stderr };
}
