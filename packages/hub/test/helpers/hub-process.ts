// A hub as its own operating-system process (packages/hub/src/main.ts), for tests of several hub
// processes sharing one database and of a process that dies.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface HubProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process gets no chance to record anything. */
  kill(): Promise<void>;
}

const MAIN = join(import.meta.dirname, '../../src/main.ts');

export async function startHubProcess(env: Record<string, string>, options: { checkout?: string } = {}): Promise<HubProcess> {
  const main = options.checkout ? join(options.checkout, 'packages/hub/src/main.ts') : MAIN;
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    ...(options.checkout ? { cwd: options.checkout } : {}),
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the hub process did not start within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)".*"hub listening"/.exec(output) ?? /"msg":"hub listening".*"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(deadline);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', check);
    exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`the hub process exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
