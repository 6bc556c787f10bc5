// Message ids of a write item's follow-ups derive from the item, so every delivery of it
// publishes under the same ids and the stream's duplicate window drops the repeats.

/** `<run or class>:<batchId>:<part>`: the same on every delivery of the item. */
export function partKey(body: { run?: string; batchId: string; part: number }, cls: string): string {
  return `${body.run ?? cls}:${body.batchId}:${body.part}`;
}
