// The sign-in form. A refused sign-in shows one message whichever of name or password was wrong.
import { escapeHtml } from './html.ts';
import { page } from './layout.ts';

export function renderLogin(o: { csrf: string; next: string; error?: string; name?: string; noOperators: boolean }): string {
  const body = `<section class="signin">
<h1>Sign in to peoplesync</h1>
${o.error ? `<p class="error" role="alert" data-testid="signin-error">${escapeHtml(o.error)}</p>` : ''}
${o.noOperators ? '<p class="warning">No operators are configured: add console.operators to the configuration (peoplesync credentials password makes a passwordHash).</p>' : ''}
<form method="post" action="/login">
  <input type="hidden" name="_csrf" value="${escapeHtml(o.csrf)}">
  <input type="hidden" name="next" value="${escapeHtml(o.next)}">
  <p><label>Name <input name="name" autocomplete="username" required value="${escapeHtml(o.name ?? '')}"></label></p>
  <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
  <p><button type="submit">Sign in</button></p>
</form>
</section>`;
  return page({ title: 'peoplesync · sign in', operator: null, csrf: o.csrf }, body);
}
