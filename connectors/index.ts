// The only code that talks to Salesforce, Intercom and SMTP.
export * from './errors.ts';
export * from './types.ts';
export * from './salesforce/index.ts';
export * from './intercom/index.ts';
export * from './smtp.ts';
