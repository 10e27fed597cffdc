// The hub as a library: what the demo launcher, benchmarks and tools may use.
export type { DatasetOutcome, FailureReason, ProgressEvent } from './broker/outcome.ts';
export { FAILURE_MESSAGES } from './broker/outcome.ts';
export { loadRegistryFile, mergeRegistries, parseRegistry, type Registry, RegistryError } from './catalog/registry.ts';
export { seedRegistry } from './catalog/repository.ts';
export { type Config, ConfigError, loadConfig } from './config.ts';
export { createHub, type Hub, type HubCore, openHubCore } from './hub.ts';
export { createLogger, type Logger } from './log.ts';
// Identity methods and notices, for the demo's identity provider, card signer and mail sink.
export { createOidcMethod, type OidcMethod } from './identity/oidc/index.ts';
export { IdentityError, type VerifiedIdentity } from './identity/types.ts';
export { createX509Verifier, crlsFromFiles, type X509Verifier } from './identity/x509/index.ts';
export { createNoopNotifier, createSmtpNotifier, DEFAULT_MAIL_FROM, type Notice, type Notifier } from './notify/index.ts';
// The ledger's parts, for tools that build or check trees outside a hub (bench, auditors).
export { CompactRange, type StoredSubtree } from './ledger/compact-range.ts';
export type { LedgerEntryInput } from './ledger/entry.ts';
export { Ledger, type LedgerOptions } from './ledger/ledger.ts';
export { leafHash } from './ledger/merkle.ts';
export { verifyConsistency, verifyInclusion } from './ledger/verify-proof.ts';
export { type Db, type Engine, openDatabase } from './store/database.ts';
export { migrateToLatest } from './store/migrate.ts';
// The retrieval core and its deliveries, for tools that drive it (npm run fetch, bench).
export type { Consent, ConsumedConsent, Recipient } from './consent/consent-repository.ts';
export type { Delivered, Delivery, DeliveryInput, VerifiedOutcome } from './retrieval/delivery.ts';
export { ConsentUnavailableError, RetrievalService } from './retrieval/retrieval-service.ts';
// Mode 3: the service registry, for the demo launcher and tests.
export { serviceProviderSchema, serviceRegistrySchema, type ServiceRegistry } from './catalog/service-registry.ts';
export { upsertProvider } from './catalog/service-repository.ts';
// Mode 2, for the demo (its counters registry and staff) and tools.
export { type CounterRegistry, parseCounterRegistry } from './counter/counter-registry.ts';
export { applyCounterRegistry } from './counter/counter-repository.ts';
export { newStaffCredentials, putStaffAccount } from './counter/staff-admin.ts';
export { totpCode } from './counter/staff-credentials.ts';
export { subjectKeyer } from './keys/subject-key.ts';
