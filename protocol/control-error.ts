// Structured error replies of control endpoints. The service API's own error headers carry the
// code and description (so `nats req` shows them); the body carries the same plus details such
// as every problem of a refused settings save.
import { z } from 'zod';

export const ControlErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    status: z.number().int(),
    details: z.unknown().optional(),
  }),
});
export type ControlErrorBody = z.infer<typeof ControlErrorBodySchema>;

export class ControlError extends Error {
  override name = 'ControlError';
  readonly code: string;
  /** HTTP-like status: 400 bad request, 404, 409 conflict, 503 unavailable, 500. */
  readonly status: number;
  readonly details?: unknown;
  constructor(code: string, message: string, opts: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.status = opts.status ?? 400;
    this.details = opts.details;
  }
}
