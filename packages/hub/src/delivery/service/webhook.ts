// The optional webhook: when a delivery is ready (or has failed) the hub POSTs a short signed JWT to
// the service's registered webhook URL, so a service need not poll a slow delivery. The JWT names the
// transfer and the event only; the service then makes its data call as usual. It is signed with the
// authorization server's key (its jwks_uri in the discovery document).
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { HubSigningKey } from '../../keys/hub-keys.ts';
import type { Logger } from '../../log.ts';

export const WEBHOOK_TYPE = 'openmydata-webhook+jwt';

export interface WebhookEvent {
  event: 'delivery.ready' | 'delivery.failed';
  transfer: string;
  service: string;
  clientId: string;
  url: string;
}

export interface WebhookSender {
  send(event: WebhookEvent): Promise<boolean>;
}

export function createWebhookSender(deps: {
  issuer: string;
  key: () => Promise<HubSigningKey>;
  logger: Logger;
  /** Pause before the second attempt. */
  retryDelayMs?: number;
  fetchImpl?: typeof fetch;
}): WebhookSender {
  const doFetch = deps.fetchImpl ?? fetch;
  return {
    async send(event) {
      const key = await deps.key();
      const jwt = await new SignJWT({ event: event.event, transfer: event.transfer, service: event.service })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: WEBHOOK_TYPE })
        .setIssuer(deps.issuer)
        .setAudience(event.clientId)
        .setIssuedAt()
        .setExpirationTime('5m')
        .setJti(randomUUID())
        .sign(key.privateKey);
      let problem = '';
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const res = await doFetch(event.url, {
            method: 'POST',
            headers: { 'content-type': 'application/jwt' },
            body: jwt,
            redirect: 'error',
            signal: AbortSignal.timeout(5_000),
          });
          await res.body?.cancel();
          if (res.ok) return true;
          problem = `HTTP ${res.status}`;
        } catch (error) {
          problem = (error as Error).name;
        }
        if (attempt === 1) await new Promise((r) => setTimeout(r, deps.retryDelayMs ?? 1_000));
      }
      deps.logger.warn({ service: event.service, transfer: event.transfer, event: event.event, problem }, 'service webhook not delivered');
      return false;
    },
  };
}
