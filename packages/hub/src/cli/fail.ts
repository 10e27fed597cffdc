// How the hub's commands stop on bad input or a failed check: one line on stderr and an exit code
// (2 for usage errors unless the command says otherwise).
export function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
