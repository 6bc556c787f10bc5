// Turns whatever jsforce or the network threw into one of the typed connector errors, with a
// message built from codes and the service's own text, every known secret blanked out.

import { classifySalesforce, ConnectorError, salesforceCodeOf } from '../../protocol/index.ts';

/** Replaces every secret (tokens, client secret, private key) and any bearer header in text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined | null): void {
    if (!secret || secret.length < 6) return;
    this.secrets.add(secret);
    // A Salesforce session id is `<orgId>!<secret part>`; the part alone must not leak either.
    const bang = secret.lastIndexOf('!');
    if (bang >= 0 && secret.length - bang > 16) this.secrets.add(secret.slice(bang + 1));
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out.replace(/(Bearer|OAuth)\s+[^\s"',;]+/g, '$1 [redacted]');
  }
}

/** A cause that can be logged or serialised safely: name, redacted message, code, no stack of
 * the original (a stack can quote request data). */
export class SanitizedCause extends Error {
  override name: string;
  readonly code?: string;
  constructor(name: string, message: string, code?: string) {
    super(message);
    this.name = name;
    this.code = code;
    this.stack = `${name}: ${message}`;
  }
}

export function toConnectorError(err: unknown, what: string, status: number | undefined, redactor: Redactor): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const message = redactor.redact(raw).slice(0, 500);
  const { kind, code, said, timedOut, ...rest } = classifySalesforce(err, status);
  const cause = new SanitizedCause(err instanceof Error ? err.name : 'Error', message, salesforceCodeOf(err));
  const fields = kind === 'invalid' ? (err as { data?: { fields?: unknown } }).data?.fields : undefined;
  return new ConnectorError(timedOut ? `Salesforce ${what} timed out` : `Salesforce ${what} failed: ${said}: ${message}`, {
    system: 'salesforce',
    kind,
    code,
    ...rest,
    cause,
    fields: Array.isArray(fields) ? fields.map(String) : [],
  });
}
