// The frame of every console page: title, the workspace's tabs, who is signed in and a sign-out
// form, the stylesheet and the one script (both served by the gateway, nothing from elsewhere).
import { consolePaths } from '../../../protocol/index.ts';
import type { Operator } from '../operators.ts';
import { escapeHtml, jsonScript } from './html.ts';

export interface Frame {
  title: string;
  operator: Operator | null;
  /** Sent with every change the page makes (forms as _csrf, scripts as x-csrf-token). */
  csrf: string;
  ws?: string;
  tab?: 'settings' | 'errors' | 'people';
  /** Data the page's script needs, as JSON. */
  data?: unknown;
}

function tabs(ws: string, tab: Frame['tab']): string {
  const link = (id: NonNullable<Frame['tab']>, href: string, text: string) =>
    `<a href="${escapeHtml(href)}"${tab === id ? ' aria-current="page"' : ''}>${text}</a>`;
  return `<nav class="tabs" aria-label="Workspace">
  ${link('settings', consolePaths.workspace(ws), 'Settings')}
  ${link('errors', consolePaths.errors(ws), 'Sync errors')}
  <form class="lookup" method="get" action="${escapeHtml(consolePaths.workspace(ws))}/people">
    <label>Person <input name="key" placeholder="email, Salesforce or Intercom id" required></label> <button>History</button>
  </form>
</nav>`;
}

export function page(f: Frame, body: string): string {
  const who = f.operator
    ? `<form class="signout" method="post" action="/logout"><input type="hidden" name="_csrf" value="${escapeHtml(f.csrf)}">
    <span data-testid="operator">${escapeHtml(f.operator.name)} (${escapeHtml(f.operator.role)})</span> <button>Sign out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(f.csrf)}">
<title>${escapeHtml(f.title)}</title><link rel="stylesheet" href="/assets/console.css"></head>
<body${f.ws ? ` data-ws="${escapeHtml(f.ws)}"` : ''}${f.operator ? ` data-role="${escapeHtml(f.operator.role)}"` : ''}>
<header><a class="home" href="/">peoplesync</a>${f.ws ? ` <span class="ws">workspace ${escapeHtml(f.ws)}</span>` : ''}${who}</header>
${f.ws ? tabs(f.ws, f.tab) : ''}
<main>
${body}
</main>
${f.data === undefined ? '' : jsonScript('page-data', f.data)}
<script src="/assets/console.js" defer></script>
</body>
</html>`;
}
