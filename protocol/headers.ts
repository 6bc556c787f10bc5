// Header names, in one place. The workspace is no header: it is a token of every subject.
export const Headers = {
  type: 'ps-type',
  run: 'ps-run',
  contentType: 'content-type',
  msgId: 'Nats-Msg-Id',
  // Dead-letter headers
  dlqReason: 'ps-dlq-reason',
  dlqSubject: 'ps-dlq-subject',
  dlqError: 'ps-dlq-error',
  dlqStream: 'ps-dlq-stream',
  dlqSeq: 'ps-dlq-seq',
  dlqDeliveries: 'ps-dlq-deliveries',
  dlqAt: 'ps-dlq-at',
  /** The original body's size and SHA-256 (hex): a copy too large to keep is truncated. */
  dlqSize: 'ps-dlq-size',
  dlqDigest: 'ps-dlq-digest',
  dlqTruncated: 'ps-dlq-truncated',
} as const;

export const ContentTypes = {
  msgpack: 'application/msgpack',
  json: 'application/json',
} as const;
export type ContentType = (typeof ContentTypes)[keyof typeof ContentTypes];

/** Why a message went to the dead-letter stream. */
export const DlqReasons = [
  'undecodable',
  'unknown_type',
  'invalid_body',
  'too_large',
  'permanent_error',
  'max_deliveries',
  'unknown_run',
  'unserved',
] as const;
export type DlqReason = (typeof DlqReasons)[number];
