// A schema (a schema file, a field definition) the sandbox cannot hold; the message names the
// object, field or line at fault.
export class SandboxSchemaError extends Error {
  override name = 'SandboxSchemaError';
}
