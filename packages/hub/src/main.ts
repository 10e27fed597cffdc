// The hub process: validate configuration, start, and shut down gracefully on SIGTERM/SIGINT.
import { type Config, ConfigError, loadConfig } from './config.ts';
import { RegistryError } from './catalog/registry.ts';
import { createHub, type Hub } from './hub.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  let hub: Hub;
  try {
    hub = await createHub(config);
  } catch (error) {
    if (error instanceof RegistryError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`hub could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const url = await hub.listen();
  hub.logger.info({ url, engine: hub.engine }, 'hub listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // Retrievals get their grace period, then a few seconds to record what was cut short.
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 15_000);
    force.unref();
    hub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
