// Where the settings console shows things: the gateway serves these paths, and run summaries and
// emails link to them, so both sides build them here.
const seg = encodeURIComponent;

export const consolePaths = {
  index: (): string => '/',
  workspace: (ws: string): string => `/ws/${seg(ws)}`,
  errors: (ws: string): string => `/ws/${seg(ws)}/errors`,
  error: (ws: string, id: string): string => `/ws/${seg(ws)}/errors/${seg(id)}`,
  person: (ws: string, key: string): string => `/ws/${seg(ws)}/people/${seg(key)}`,
};

/** An absolute link: the deployment's public base URL and a console path. */
export function consoleUrl(publicUrl: string, path: string): string {
  return publicUrl.replace(/\/+$/, '') + path;
}
