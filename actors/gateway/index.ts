// The gateway's face: its pure parts (routes, webhook checks, request parameters, the page).
// The actor itself is in actor.ts, registered in actors/index.ts.
export { matchRoute, ROUTES, type RouteName, type RouteMatch } from './routes.ts';
export { verifySignature, interpretNotification, contactMsgId, WebhookBodyError, type WebhookAction } from './webhook.ts';
export { errorsListRequest, limitRequest, directionRequest, jsonBody, instant, BadRequestError } from './api-params.ts';
export { renderPage, renderUsage, renderRun, renderErrors, escapeHtml, type PageData, type Part } from './page.ts';
