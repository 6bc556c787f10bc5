// The gateway's face: its pure parts (webhook checks, credentials, operators, request schemas,
// pages). The actor itself is in actor.ts, registered in actors/index.ts.
export { verifySignature, interpretNotification, contactMsgId, WebhookBodyError, type WebhookAction } from './webhook.ts';
export { hashPassword, verifyPassword, hashToken, tokenMatches, newPassword, newToken, credentialStamp } from './credentials.ts';
export { Operators, mayAccess, encodeSession, decodeSession, type Access, type Operator, type Role, type Session } from './operators.ts';
export { ErrorsQuery, errorsListRequest, instant } from './api-schemas.ts';
export { escapeHtml, jsonScript } from './pages/html.ts';
export { renderUsage, usageBar, TIER_TEXT } from './pages/usage.ts';
export { matches, type ServedRoute } from './server.ts';
export { safeNext } from './page-routes.ts';
export { SESSION_COOKIE } from './security.ts';
export { renderWorkspace, type WorkspacePage } from './pages/workspace.ts';
export { renderErrors, renderErrorDetails, statusCodeOf } from './pages/errors.ts';
export { renderPerson } from './pages/person.ts';
export { renderLogin } from './pages/login.ts';
