export * from './national-id.ts';
export * from './package.ts';
export * from './provider-api.ts';
export * from './zip.ts';
export * from './request-token.ts';
export * from './jose-errors.ts';
export * from './text.ts';
export * from './fields.ts';
