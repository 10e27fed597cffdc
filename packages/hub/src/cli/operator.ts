// npm run operator -- <subject> <command> [...]: the operator's commands. Each subject is its own
// file under cli/operator/ and one line in SUBJECTS below (agency now; service and counter next).
import { agencyCommands } from './operator/agency.ts';
import { counterCommands } from './operator/counter.ts';
import { EXIT, type OperatorSubject } from './operator/context.ts';
import { serviceCommands } from './operator/service.ts';
import { fail } from './fail.ts';

const SUBJECTS: Readonly<Record<string, OperatorSubject>> = {
  agency: agencyCommands,
  service: serviceCommands,
  counter: counterCommands,
};

const USAGE = `Usage: npm run operator -- <subject> <command> [options]

${Object.entries(SUBJECTS)
  .map(([name, subject]) => `  ${name.padEnd(8)} ${subject.summary}`)
  .join('\n')}

npm run operator -- <subject> --help shows a subject's commands.
Environment: the hub's own (DATA_DIR or DATABASE_URL, HUB_SECRET).`;

async function main(): Promise<void> {
  const [subjectName, ...rest] = process.argv.slice(2);
  if (subjectName === undefined || subjectName === '--help' || subjectName === '-h') {
    process.stdout.write(`${USAGE}\n`);
    if (subjectName === undefined) process.exitCode = EXIT.usage;
    return;
  }
  const subject = Object.hasOwn(SUBJECTS, subjectName) ? SUBJECTS[subjectName] : undefined;
  if (!subject) fail(`Unknown subject "${subjectName}".\n\n${USAGE}`, EXIT.usage);
  process.exitCode = await subject.run(rest);
}

await main();
