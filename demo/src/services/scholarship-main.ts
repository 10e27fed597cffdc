// The demo foundation's scholarship application as its own process (npm start: HUB_PORT + 2).
import { SCHOLARSHIP } from './definitions.ts';
import { runDemoService } from './run.ts';

await runDemoService(SCHOLARSHIP);
