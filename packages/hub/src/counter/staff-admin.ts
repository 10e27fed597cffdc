// Making and changing staff accounts (the operator's command, the demo's seed): credentials are
// hashed and sealed here, and a disabled or reset account loses its sessions at once.
import type { Db } from '../store/database.ts';
import { findStaff, insertStaff, resetStaffCredentials, setStaffDisabled, type StaffRole } from './counter-repository.ts';
import { isStaffId } from './staff-auth.ts';
import { hashStaffPassword, MAX_STAFF_PASSWORD, MIN_STAFF_PASSWORD, newStaffPassword, newTotpSecret, sealTotpSecret } from './staff-credentials.ts';
import { StaffSessionStore } from './staff-sessions.ts';

export class StaffAdminError extends Error {
  override readonly name = 'StaffAdminError';
}

export interface StaffCredentials {
  password: string;
  /** Base32 TOTP secret. */
  totpSecret: string;
}

function checkCredentials(credentials: StaffCredentials): void {
  if (credentials.password.length < MIN_STAFF_PASSWORD || credentials.password.length > MAX_STAFF_PASSWORD)
    throw new StaffAdminError(`a staff password has ${MIN_STAFF_PASSWORD} to ${MAX_STAFF_PASSWORD} characters`);
  if (!/^[A-Z2-7]{32,}=*$/.test(credentials.totpSecret)) throw new StaffAdminError('a TOTP secret is base32 (A-Z, 2-7), at least 32 characters (160 bits)');
}

/** Fresh credentials to hand to a clerk once. */
export function newStaffCredentials(): StaffCredentials {
  return { password: newStaffPassword(), totpSecret: newTotpSecret() };
}

async function officeExists(db: Db, officeId: string): Promise<boolean> {
  return Boolean(await db.selectFrom('counter_offices').select('id').where('id', '=', officeId).executeTakeFirst());
}

/** Creates the account, or (with `update`) gives an existing one these credentials, office and role. */
export async function putStaffAccount(
  db: Db,
  hubSecret: Buffer,
  input: { id: string; officeId: string; role: StaffRole } & StaffCredentials,
  options: { update: boolean },
): Promise<'created' | 'updated'> {
  if (!isStaffId(input.id)) throw new StaffAdminError('an account name is 3-64 lower-case letters, digits and . _ - (not a person’s name or ID)');
  checkCredentials(input);
  if (!(await officeExists(db, input.officeId))) throw new StaffAdminError(`no office ${input.officeId} is registered`);
  const credentials = { passwordHash: await hashStaffPassword(input.password), sealedTotp: sealTotpSecret(hubSecret, input.id, input.totpSecret) };
  const existing = await findStaff(db, input.id);
  if (!existing) {
    await insertStaff(db, { id: input.id, officeId: input.officeId, role: input.role, ...credentials });
    return 'created';
  }
  if (!options.update) throw new StaffAdminError(`account ${input.id} exists already`);
  await resetStaffCredentials(db, input.id, credentials);
  await db.updateTable('counter_staff').set({ office_id: input.officeId, role: input.role }).where('id', '=', input.id).execute();
  await new StaffSessionStore(db).destroyAllOf(input.id);
  return 'updated';
}

export async function resetStaffAccount(db: Db, hubSecret: Buffer, id: string): Promise<StaffCredentials | undefined> {
  const credentials = newStaffCredentials();
  const changed = await resetStaffCredentials(db, id, {
    passwordHash: await hashStaffPassword(credentials.password),
    sealedTotp: sealTotpSecret(hubSecret, id, credentials.totpSecret),
  });
  if (!changed) return undefined;
  await new StaffSessionStore(db).destroyAllOf(id);
  return credentials;
}

export async function disableStaffAccount(db: Db, id: string, disabled: boolean): Promise<boolean> {
  const changed = await setStaffDisabled(db, id, disabled);
  if (changed && disabled) await new StaffSessionStore(db).destroyAllOf(id);
  return changed;
}
