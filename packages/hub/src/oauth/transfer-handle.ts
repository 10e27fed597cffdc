// The account an authorization is for is not a person but one transfer: the retrieval it started
// and the transfer key that seals what only this transfer's holder may open (the person's notice
// address). oidc-provider keeps the handle inside the code, token, grant and session payloads, all
// sealed under their own bearer values (kysely-adapter.ts), so the key travels with the access
// token and nowhere in plaintext; the data call opens the notice address with it.
const HANDLE = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export interface TransferHandle {
  retrievalId: string;
  key: Buffer;
}

export function transferHandle(retrievalId: string, key: Buffer): string {
  return `${retrievalId}.${key.toString('base64url')}`;
}

export function parseTransferHandle(accountId: string): TransferHandle | undefined {
  const match = HANDLE.exec(accountId);
  return match ? { retrievalId: match[1] as string, key: Buffer.from(match[2] as string, 'base64url') } : undefined;
}
