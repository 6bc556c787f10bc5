// Header names, in one place.
export const Headers = {
  type: 'ps-type',
  ws: 'ps-ws',
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
} as const;

export const ContentTypes = {
  msgpack: 'application/msgpack',
  json: 'application/json',
} as const;
export type ContentType = (typeof ContentTypes)[keyof typeof ContentTypes];

/** Why a message went to the dead-letter stream. */
export const DlqReasons = ['undecodable', 'unknown_type', 'invalid_body', 'permanent_error', 'max_deliveries'] as const;
export type DlqReason = (typeof DlqReasons)[number];
