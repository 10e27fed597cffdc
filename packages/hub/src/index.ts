// The hub as a library: what the demo launcher, benchmarks and tools may use.
export type { DatasetOutcome, FailureReason, ProgressEvent } from './broker/outcome.ts';
export { FAILURE_MESSAGES } from './broker/outcome.ts';
export { loadRegistryFile, mergeRegistries, parseRegistry, type Registry, RegistryError } from './catalog/registry.ts';
export { seedRegistry } from './catalog/repository.ts';
export { type Config, ConfigError, loadConfig } from './config.ts';
export { createHub, type Hub, type HubCore, openHubCore } from './hub.ts';
export { createLogger, type Logger } from './log.ts';
