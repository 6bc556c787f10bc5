// The Salesforce sandbox: an HTTP emulator of the REST API parts peoplesync uses.
export { startSalesforceSandbox } from './server.ts';
export type { SalesforceSandbox, SalesforceSandboxOptions } from './server.ts';
export type { SandboxStats, CallKind } from './org.ts';
export type { SandboxOrg } from './org.ts';
export type { FaultSettings } from './faults.ts';
export type { ValidationRule } from './validate.ts';
export type { UsageSnapshot } from './usage.ts';
export { parseSoql, SoqlSyntaxError } from './soql.ts';
export type { SoqlQuery, Expr, Literal } from './soql.ts';
export { JWT_BEARER } from './oauth.ts';
export type { SObjectName, SObjectRecord, SaveError, SaveResult, RestError } from './wire.ts';
export { DEFAULT_SESSION_TIMEOUT_MS } from './oauth.ts';
