// The connectors' errors are protocol's ConnectorError (its `kind` says what a failure means,
// and `retryable` follows from it); protocol/failures.ts is where Salesforce's and Intercom's
// codes are read.
export {
  ConnectorError,
  type ConnectorErrorOptions,
  type ConnectorFailureKind,
  type ExternalSystem,
  FieldRefusedError,
} from '../protocol/index.ts';
