import { describe, expect, it } from 'vitest';
import { NatsError } from 'nats';
import { isTransientNatsError } from '../../protocol/index.ts';

describe('transient NATS errors', () => {
  it('treats timeouts and connection trouble as retryable, and nothing else', () => {
    expect(isTransientNatsError(new NatsError('TIMEOUT', 'TIMEOUT'))).toBe(true);
    expect(isTransientNatsError(new NatsError('draining', 'CONNECTION_DRAINING'))).toBe(true);
    expect(isTransientNatsError(new NatsError('503', '503'))).toBe(true);
    expect(isTransientNatsError(new NatsError('denied', 'PERMISSIONS_VIOLATION'))).toBe(false);
    expect(isTransientNatsError(new Error('TIMEOUT'))).toBe(false);
    expect(isTransientNatsError(null)).toBe(false);
  });
});
