// The hub's registration at the demo's mock IdP. The secret is a demo default, published on purpose;
// set IDP_CLIENT_SECRET (and the hub's OIDC_CLIENT_SECRET to the same value) for anything else.
export const DEMO_CLIENT_ID = 'openmydata-hub';
export const DEMO_CLIENT_SECRET = 'openmydata-demo-idp-client-secret';
