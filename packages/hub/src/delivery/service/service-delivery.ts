// Mode 3's delivery: as soon as the agency packages are verified they are encrypted to the service's
// key (a JWE the hub cannot open) and stored for the service's one data call; the plaintext exists
// only in memory, in this call. Without the service's key there is no delivery: the transfer fails
// with service_keys_unavailable and nothing is stored.
import type { Service, ServiceProvider } from '../../catalog/service-repository.ts';
import type { Logger } from '../../log.ts';
import type { Delivered, Delivery, DeliveryInput } from '../../retrieval/delivery.ts';
import type { Db } from '../../store/database.ts';
import { buildDelivery, resultsOf } from './build-delivery.ts';
import { type ServiceKeyFetcher, ServiceKeysUnavailable } from './service-keys.ts';
import { failTransfer, openTransfer, storeDelivery } from './transfers.ts';

export interface ServiceDeliveryDeps {
  db: Db;
  keys: Pick<ServiceKeyFetcher, 'encryptionKey'>;
  /** The authorization server's issuer, named in the manifest. */
  issuer: string;
  logger: Logger;
  now?: () => Date;
}

export function createServiceDelivery(deps: ServiceDeliveryDeps, target: { provider: ServiceProvider; service: Service; expiresAt: Date }): Delivery {
  const now = deps.now ?? (() => new Date());
  return {
    recipient: 'service',
    async accept({ retrievalId, consent, outcomes, packages }: DeliveryInput): Promise<Delivered | undefined> {
      const results = resultsOf(outcomes);
      // The consent page opens the transfer too, but a retrieval whose agencies all fail at once can
      // get here first; both are no-ops once the row exists.
      await openTransfer(
        deps.db,
        {
          retrievalId,
          consentId: consent.id,
          subjectKey: consent.subjectKey,
          clientId: target.provider.clientId,
          serviceId: target.service.id,
          expiresAt: target.expiresAt,
        },
        now(),
      );
      if (packages.length === 0) {
        await failTransfer(deps.db, retrievalId, 'nothing_fetched', results, now());
        return undefined;
      }
      let ciphertext: string;
      try {
        const key = await deps.keys.encryptionKey(target.provider);
        ciphertext = await buildDelivery({
          issuer: deps.issuer,
          transfer: retrievalId,
          clientId: target.provider.clientId,
          serviceId: target.service.id,
          outcomes,
          packages,
          key,
          now: now(),
        });
      } catch (error) {
        const reason = error instanceof ServiceKeysUnavailable ? 'service_keys_unavailable' : 'encryption_failed';
        deps.logger.warn({ retrieval: retrievalId, service: target.service.id, reason, detail: (error as Error).message }, 'service delivery not built');
        await failTransfer(deps.db, retrievalId, reason, results, now());
        throw error;
      }
      // A transfer the person revoked meanwhile stays revoked: the ciphertext is simply not kept.
      await storeDelivery(deps.db, retrievalId, { ciphertext, outcomes: results }, now());
      return {
        reference: retrievalId,
        entries: [
          {
            action: 'package_built',
            actor: { kind: 'hub', id: 'hub' },
            subject: consent.subjectKey,
            datasets: packages.map((p) => p.dataset),
            consent: consent.id,
            recipient: target.service.id,
            outcome: 'ok',
          },
        ],
      };
    },
  };
}
