// oidc-provider's storage on the hub's database, so any hub process serves any step of an
// authorization (PAR on one, the person's consent on another, the token on a third).
//  - Ids are bearer secrets (codes, tokens, request URIs, cookies): rows are keyed by an HMAC of the
//    model and id, and each payload is sealed under a key derived from its id, so a copy of the
//    database opens nothing without the code, token or cookie that names it.
//  - Two steps must be atomic across processes, which oidc-provider leaves to the adapter: using an
//    authorization code (consume is one conditional UPDATE; the loser gets invalid_grant), and
//    "seen this jti before?" for client assertions and DPoP proofs (find claims the jti with one
//    INSERT; the loser is told it was seen).
//  - Service providers (the Client model) are read from the service registry, never written here.
import { createHmac } from 'node:crypto';
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import { seal, unseal } from '../keys/seal.ts';
import type { Db } from '../store/database.ts';

export interface AdapterDeps {
  db: Db;
  /** Derived from HUB_SECRET for this purpose alone. */
  key: Buffer;
  /** OAuth client metadata of a registered service provider, or undefined. */
  client(clientId: string): Promise<Record<string, unknown> | undefined>;
  now?: () => Date;
}

/** How long a replay marker is kept when first claimed, before oidc-provider sets its own expiry. */
const CLAIM_MS = 10 * 60_000;
/** Rows oidc-provider saves without an expiry (none in our configuration) are dropped after this. */
const DEFAULT_TTL_S = 24 * 3600;

export function createAdapterFactory(deps: AdapterDeps): (model: string) => Adapter {
  return (model) => (model === 'Client' ? clientAdapter(deps) : new KyselyAdapter(model, deps));
}

function clientAdapter(deps: AdapterDeps): Adapter {
  const none = async () => undefined;
  const refuse = async () => {
    throw new Error('service providers are registered with npm run operator -- service add');
  };
  return {
    find: async (id) => (await deps.client(id)) as AdapterPayload | undefined,
    findByUid: none,
    findByUserCode: none,
    upsert: refuse,
    consume: refuse,
    destroy: refuse,
    revokeByGrantId: none,
  };
}

class KyselyAdapter implements Adapter {
  private readonly now: () => Date;

  constructor(
    private readonly model: string,
    private readonly deps: AdapterDeps,
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  private hash(kind: string, value: string): string {
    return createHmac('sha256', this.deps.key).update(`${kind}\0${this.model}\0${value}`).digest('base64url');
  }

  /** The sealing key material for a payload named by this id (or uid): only its holder has it. */
  private keyFor(kind: string, value: string): Buffer {
    return createHmac('sha256', this.deps.key).update(`seal\0${kind}\0${this.model}\0${value}`).digest();
  }

  private sealPayload(kind: string, value: string, payload: AdapterPayload): string {
    return seal(this.keyFor(kind, value), `oauth:${this.model}`, Buffer.from(JSON.stringify(payload)));
  }

  private openPayload(kind: string, value: string, sealed: string, consumedAt: string | null): AdapterPayload | undefined {
    try {
      const payload = JSON.parse(unseal(this.keyFor(kind, value), `oauth:${this.model}`, sealed).toString('utf8')) as AdapterPayload;
      return consumedAt ? { ...payload, consumed: Math.floor(new Date(consumedAt).getTime() / 1000) } : payload;
    } catch {
      return undefined;
    }
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const expiresAt = new Date(this.now().getTime() + (expiresIn ?? DEFAULT_TTL_S) * 1000).toISOString();
    const byUid = this.model === 'Session' && typeof payload.uid === 'string';
    const row = {
      model: this.model,
      id_hash: this.hash('id', id),
      payload: this.sealPayload('id', id, payload),
      uid_hash: byUid ? this.hash('uid', payload.uid as string) : null,
      payload_by_uid: byUid ? this.sealPayload('uid', payload.uid as string, payload) : null,
      grant_hash: typeof payload.grantId === 'string' ? this.hash('grant', payload.grantId) : null,
      consumed_at: null,
      expires_at: expiresAt,
    };
    const { model: _m, id_hash: _i, consumed_at: _c, ...update } = row;
    await this.deps.db
      .insertInto('oauth_records')
      .values(row)
      .onConflict((oc) => oc.columns(['model', 'id_hash']).doUpdateSet(update))
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model === 'ReplayDetection') return this.claim(id);
    const row = await this.deps.db
      .selectFrom('oauth_records')
      .select(['payload', 'consumed_at'])
      .where('model', '=', this.model)
      .where('id_hash', '=', this.hash('id', id))
      .where('expires_at', '>', this.now().toISOString())
      .executeTakeFirst();
    return row ? this.openPayload('id', id, row.payload, row.consumed_at) : undefined;
  }

  /**
   * "Was this jti seen?" as one INSERT: the first caller claims it and is told no; every later or
   * concurrent caller is told yes. oidc-provider then saves the marker with its own expiry.
   */
  private async claim(id: string): Promise<AdapterPayload | undefined> {
    const now = this.now();
    const result = await this.deps.db
      .insertInto('oauth_records')
      .values({
        model: this.model,
        id_hash: this.hash('id', id),
        payload: this.sealPayload('id', id, {}),
        uid_hash: null,
        payload_by_uid: null,
        grant_hash: null,
        consumed_at: null,
        expires_at: new Date(now.getTime() + CLAIM_MS).toISOString(),
      })
      .onConflict((oc) => oc.columns(['model', 'id_hash']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 1) return undefined;
    // Taken: by another request, or an expired marker not yet purged (a replay all the same).
    return { seen: true };
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await this.deps.db
      .selectFrom('oauth_records')
      .select(['payload_by_uid', 'consumed_at'])
      .where('model', '=', this.model)
      .where('uid_hash', '=', this.hash('uid', uid))
      .where('expires_at', '>', this.now().toISOString())
      .executeTakeFirst();
    return row?.payload_by_uid ? this.openPayload('uid', uid, row.payload_by_uid, row.consumed_at) : undefined;
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    return undefined; // no device flow
  }

  /** Marks the code used, once: of concurrent redemptions exactly one gets past this. */
  async consume(id: string): Promise<void> {
    const result = await this.deps.db
      .updateTable('oauth_records')
      .set({ consumed_at: this.now().toISOString() })
      .where('model', '=', this.model)
      .where('id_hash', '=', this.hash('id', id))
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new errors.InvalidGrant('authorization code already consumed');
  }

  async destroy(id: string): Promise<void> {
    await this.deps.db.deleteFrom('oauth_records').where('model', '=', this.model).where('id_hash', '=', this.hash('id', id)).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.deps.db.deleteFrom('oauth_records').where('model', '=', this.model).where('grant_hash', '=', this.hash('grant', grantId)).execute();
  }
}

/** Drops what has expired (run by the hub's minute housekeeping). */
export async function purgeExpiredOAuthRecords(db: Db, now = new Date()): Promise<number> {
  const stamp = now.toISOString();
  const [records, proofs] = await Promise.all([
    db.deleteFrom('oauth_records').where('expires_at', '<=', stamp).executeTakeFirst(),
    db.deleteFrom('dpop_proofs').where('expires_at', '<=', stamp).executeTakeFirst(),
  ]);
  return Number(records.numDeletedRows) + Number(proofs.numDeletedRows);
}
