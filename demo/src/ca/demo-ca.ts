// The demo's citizen certification authority: a root, one issuing CA, a certificate per synthetic citizen,
// and CRLs. Everything is generated in memory at start (random keys each time); only the CA certificates
// and CRLs, which hold no personal data, are meant to be written anywhere.
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type JsonName,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
  X509CertificateGenerator,
  type X509Crl,
  X509CrlGenerator,
  X509CrlReason,
} from './x509-lib.ts';
import { randomBytes, webcrypto } from 'node:crypto';
import { CITIZENS, type Citizen, DEMO_PERSONAS } from '../population/citizens.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const DEMO_ROOT_CA_NAME = 'OpenMyData Demo Citizen Root CA';
export const DEMO_ISSUING_CA_NAME = 'OpenMyData Demo Citizen CA G1';

/**
 * 陳怡君, 王小明's wife in the fixed 臺北市大安區 household (demo/src/population/personas.ts). Her card was
 * reported lost, so its certificate is on the demo CRL and she cannot sign in with it. Not a demo persona.
 */
export const REVOKED_DEMO_CITIZEN = 'A227615302';

const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** How long a CRL stays current; the signer re-issues well before. */
export const CRL_LIFETIME_MS = 7 * DAY;

export interface CitizenCard {
  /** Certificate serial number (hex): the card's identifier, never personal. */
  id: string;
  nationalId: string;
  certificate: X509Certificate;
  /** Not extractable, like the key on a chip card. */
  privateKey: CryptoKey;
}

/** What a hub needs to trust the demo CA. No personal data: safe to write to disk. */
export interface DemoTrustMaterial {
  rootCaPem: string;
  issuingCaPem: string;
  /** CRL of the issuing CA (lists revoked citizen certificates). */
  issuingCrlPem: string;
  issuingCrlDer: Uint8Array;
  /** CRL of the root (lists revoked issuing CAs; empty in the demo). */
  rootCrlPem: string;
  rootCrlDer: Uint8Array;
}

export interface IssueCardOptions {
  nationalId: string;
  /** Subject CN; defaults to a neutral placeholder. */
  holderName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Chip cards carry a signature certificate and an encryption certificate; only the first is for signing in. */
  usage?: 'signature' | 'encryption';
}

export interface DemoCa {
  root: X509Certificate;
  issuing: X509Certificate;
  /** One card per citizen, keyed by national ID, in population order. Memory only. */
  cards: ReadonlyMap<string, CitizenCard>;
  /** Current CRL of the issuing CA. */
  crl: X509Crl;
  rootCrl: X509Crl;
  trustMaterial(): DemoTrustMaterial;
  /** Issues an extra card (tests: past validity, bad identifiers). The ID is not validated on purpose. */
  issueCard(options: IssueCardOptions): Promise<CitizenCard>;
  /** Signs a new issuing-CA CRL listing these serials (default: the demo's revoked cards) and makes it current. */
  reissueCrl(options?: { revokedSerials?: string[]; thisUpdate?: Date; nextUpdate?: Date }): Promise<X509Crl>;
}

export interface CreateDemoCaOptions {
  citizens?: readonly Citizen[];
  /** National IDs whose cards are revoked; default [REVOKED_DEMO_CITIZEN]. */
  revoked?: readonly string[];
  now?: Date;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, false, ['sign', 'verify']);
}

/** A positive 16-byte serial number in hex. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function caName(commonName: string): JsonName {
  return [{ C: ['TW'] }, { O: ['OpenMyData Demo'] }, { CN: [commonName] }];
}

async function caExtensions(keys: CryptoKeyPair, pathLength: number, issuerKey?: CryptoKey) {
  return [
    new BasicConstraintsExtension(true, pathLength, true),
    new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ...(issuerKey ? [await AuthorityKeyIdentifierExtension.create(issuerKey)] : []),
  ];
}

export async function createDemoCa(options: CreateDemoCaOptions = {}): Promise<DemoCa> {
  const now = options.now ?? new Date();
  const citizens = options.citizens ?? CITIZENS;
  const revokedIds = new Set(options.revoked ?? [REVOKED_DEMO_CITIZEN]);

  const rootKeys = await generateKeys();
  const root = await X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: caName(DEMO_ROOT_CA_NAME),
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 20 * 365 * DAY),
    keys: rootKeys,
    signingAlgorithm: SIGNING,
    extensions: await caExtensions(rootKeys, 1),
  });

  const issuingKeys = await generateKeys();
  const issuing = await X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: caName(DEMO_ISSUING_CA_NAME),
    issuer: root.subjectName,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY),
    publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: await caExtensions(issuingKeys, 0, rootKeys.publicKey),
  });
  const issuingAki = await AuthorityKeyIdentifierExtension.create(issuingKeys.publicKey);

  async function issueCard(card: IssueCardOptions): Promise<CitizenCard> {
    const keys = await generateKeys();
    const certificate = await X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      // The national ID sits in the subject serialNumber attribute (OID 2.5.4.5), where the hub reads it.
      subject: [{ C: ['TW'] }, { CN: [card.holderName ?? 'Demo citizen'] }, { '2.5.4.5': [card.nationalId] }],
      issuer: issuing.subjectName,
      notBefore: card.notBefore ?? new Date(now.getTime() - HOUR),
      notAfter: card.notAfter ?? new Date(now.getTime() + 5 * 365 * DAY),
      publicKey: keys.publicKey,
      signingKey: issuingKeys.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new BasicConstraintsExtension(false, undefined, false),
        ...(card.usage === 'encryption'
          ? [new KeyUsagesExtension(KeyUsageFlags.keyAgreement, true), new ExtendedKeyUsageExtension([ExtendedKeyUsage.emailProtection], false)]
          : [new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true), new ExtendedKeyUsageExtension([ExtendedKeyUsage.clientAuth], false)]),
        await SubjectKeyIdentifierExtension.create(keys.publicKey),
        issuingAki,
      ],
    });
    return { id: certificate.serialNumber.toLowerCase(), nationalId: card.nationalId, certificate, privateKey: keys.privateKey };
  }

  const issued = await Promise.all(citizens.map((c) => issueCard({ nationalId: c.nationalId, holderName: c.romanisedName })));
  const cards = new Map(issued.map((card) => [card.nationalId, card]));
  const defaultRevoked = issued.filter((card) => revokedIds.has(card.nationalId)).map((card) => card.id);

  async function signCrl(issuerCert: X509Certificate, key: CryptoKey, serials: readonly string[], thisUpdate: Date, nextUpdate: Date) {
    return X509CrlGenerator.create({
      issuer: issuerCert.subjectName,
      thisUpdate,
      nextUpdate,
      signingKey: key,
      signingAlgorithm: SIGNING,
      extensions: [await AuthorityKeyIdentifierExtension.create(issuerCert.publicKey)],
      entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: thisUpdate, reason: X509CrlReason.keyCompromise })),
    });
  }

  const crlStart = new Date(now.getTime() - 60_000);
  const rootCrl = await signCrl(root, rootKeys.privateKey, [], crlStart, new Date(crlStart.getTime() + 365 * DAY));
  const ca: DemoCa = {
    root,
    issuing,
    cards,
    crl: await signCrl(issuing, issuingKeys.privateKey, defaultRevoked, crlStart, new Date(crlStart.getTime() + CRL_LIFETIME_MS)),
    rootCrl,
    issueCard,
    async reissueCrl(crlOptions = {}) {
      const thisUpdate = crlOptions.thisUpdate ?? new Date(Date.now() - 60_000);
      const nextUpdate = crlOptions.nextUpdate ?? new Date(thisUpdate.getTime() + CRL_LIFETIME_MS);
      ca.crl = await signCrl(issuing, issuingKeys.privateKey, crlOptions.revokedSerials ?? defaultRevoked, thisUpdate, nextUpdate);
      return ca.crl;
    },
    trustMaterial() {
      return {
        rootCaPem: root.toString('pem'),
        issuingCaPem: issuing.toString('pem'),
        issuingCrlPem: ca.crl.toString('pem'),
        issuingCrlDer: new Uint8Array(ca.crl.rawData),
        rootCrlPem: ca.rootCrl.toString('pem'),
        rootCrlDer: new Uint8Array(ca.rootCrl.rawData),
      };
    },
  };
  return ca;
}

let shared: Promise<DemoCa> | undefined;

/** One demo CA per process, for tests and helpers that sign without HTTP. */
export function sharedDemoCa(): Promise<DemoCa> {
  shared ??= createDemoCa();
  return shared;
}

// The revoked citizen must exist and must not be a persona: the personas have to be able to sign in.
if (!CITIZENS.some((c) => c.nationalId === REVOKED_DEMO_CITIZEN) || DEMO_PERSONAS.some((p) => p.nationalId === REVOKED_DEMO_CITIZEN)) {
  throw new Error('REVOKED_DEMO_CITIZEN must be a synthetic citizen who is not a demo persona');
}
