// npm run demo-totp [ACCOUNT]: the current 6-digit TOTP codes of the demo's counter staff, what an
// authenticator app holding their (public, demo-only) secrets would show. Each code works once.
import { totpCode } from '@openmydata/hub';
import { DEMO_STAFF } from './counters.ts';

const wanted = process.argv[2];
const staff = wanted ? DEMO_STAFF.filter((s) => s.id === wanted) : DEMO_STAFF;
if (staff.length === 0) {
  process.stderr.write(`No demo account ${wanted}. The demo's accounts: ${DEMO_STAFF.map((s) => s.id).join(', ')}\n`);
  process.exit(2);
}
const now = new Date();
const left = 30 - (Math.floor(now.getTime() / 1000) % 30);
for (const s of staff) process.stdout.write(`${totpCode(s.totpSecret, now)}  ${s.id}\n`);
process.stdout.write(`(valid for ${left} more seconds, and once each)\n`);
