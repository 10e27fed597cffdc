// The demo citizen certification authority.
export {
  type CitizenCard,
  CRL_LIFETIME_MS,
  type CreateDemoCaOptions,
  createDemoCa,
  DEMO_ISSUING_CA_NAME,
  DEMO_ROOT_CA_NAME,
  type DemoCa,
  type DemoTrustMaterial,
  type IssueCardOptions,
  REVOKED_DEMO_CITIZEN,
  sharedDemoCa,
} from './demo-ca.ts';
