// Small pieces every console page uses: escaping (every value that reaches HTML passes here),
// numbers, times, and a section whose data could not be had. Pure.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** JSON for a `<script type="application/json">` block: nothing in it can close the element. */
export function jsonScript(id: string, data: unknown): string {
  const text = JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return `<script type="application/json" id="${escapeHtml(id)}">${text}</script>`;
}

export const fmt = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n.toLocaleString('en-US'));
export const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

/** A section's data, or why it could not be had (the actor that serves it is down, say). */
export type Part<T> = { ok: true; value: T } | { ok: false; error: string };

export async function part<T>(p: Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: (err as Error)?.message ?? String(err) };
  }
}

export const unavailable = (what: string, error: string): string =>
  `<p class="unavailable" role="status">${escapeHtml(what)} unavailable: ${escapeHtml(error)}</p>`;

export const DIRECTION_TEXT = {
  salesforce_to_intercom: 'Salesforce → Intercom',
  intercom_to_salesforce: 'Intercom → Salesforce',
} as const;

/** A value as a person reads it in a table cell. */
export function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return '<span class="empty">(empty)</span>';
  return escapeHtml(typeof v === 'string' ? v : JSON.stringify(v));
}
