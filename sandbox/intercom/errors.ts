// Errors the sandbox raises for bad admin input or options; the admin routes map them to HTTP.

/** Bad input: an option, a seed record, an admin request body. */
export class SandboxInputError extends Error {
  override name = 'SandboxInputError';
}

export class SandboxNotFoundError extends Error {
  override name = 'SandboxNotFoundError';
}

/** The change would give two contacts the same email or external_id. */
export class SandboxConflictError extends Error {
  override name = 'SandboxConflictError';
}
