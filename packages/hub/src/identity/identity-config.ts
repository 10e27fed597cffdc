// Which identity methods this hub offers, from the environment, validated at start-up.
// X509_TRUST_ANCHORS and X509_CRLS are comma-separated file paths; SIGNER_URL is where the
// citizen's local card signer listens (the login page talks to it); OIDC_* are read by
// oidcOptionsFromEnv.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.ts';
import type { PasskeyMethod } from './passkey/index.ts';
import { createOidcMethod, type OidcMethod, oidcOptionsFromEnv } from './oidc/index.ts';
import { crlsFromFiles, createX509Verifier, type X509Verifier } from './x509/index.ts';

export interface IdentityMethods {
  x509: { verifier: X509Verifier; signerUrl: string } | undefined;
  oidc: OidcMethod | undefined;
  /** Passkeys are the hub's own method (bound after a level 1 or 2 login), so the hub adds them. */
  passkey?: PasskeyMethod | undefined;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function identityMethodsFromEnv(env: NodeJS.ProcessEnv, publicUrl: string): IdentityMethods {
  const problems: string[] = [];
  let x509: IdentityMethods['x509'];
  const anchors = list(env.X509_TRUST_ANCHORS);
  if (anchors.length > 0) {
    const signerUrl = env.SIGNER_URL ?? '';
    if (!/^https?:\/\/[^/]+\/?$/.test(signerUrl)) problems.push('SIGNER_URL: must be the signer origin, e.g. http://127.0.0.1:3009');
    const pems: string[] = [];
    for (const path of anchors) {
      try {
        pems.push(readFileSync(path, 'utf8'));
      } catch {
        problems.push(`X509_TRUST_ANCHORS: cannot read ${path}`);
      }
    }
    const crls = list(env.X509_CRLS);
    if (crls.length === 0) problems.push('X509_CRLS: name the CRL files of the trusted CAs (revocation is checked, never skipped)');
    if (problems.length === 0)
      x509 = { verifier: createX509Verifier({ trustAnchorsPem: pems, crls: crlsFromFiles(crls) }), signerUrl: signerUrl.replace(/\/$/, '') };
  }
  let oidc: OidcMethod | undefined;
  try {
    const options = oidcOptionsFromEnv(env, publicUrl);
    if (options) oidc = createOidcMethod(options);
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else throw error;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { x509, oidc };
}
