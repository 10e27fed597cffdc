// Runs one of the project's TypeScript commands as its own process (through tsx, without npm) and
// collects what it printed. Asynchronous, so in-process servers the command calls keep answering.
import { spawn, type SpawnOptions } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(script: string, args: string[], options: Pick<SpawnOptions, 'cwd' | 'env'> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
