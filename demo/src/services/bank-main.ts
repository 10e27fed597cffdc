// The demo bank's loan pre-screening as its own process (npm start: HUB_PORT + 1).
import { BANK } from './definitions.ts';
import { runDemoService } from './run.ts';

await runDemoService(BANK);
