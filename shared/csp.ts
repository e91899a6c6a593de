// The renderer's Content-Security-Policy, written once for both hosts: browser mode's HTTP server
// (hosts/server-http.ts) and Electron (electron/security.ts). Scripts only from the renderer itself,
// no inline script, no eval, nothing from elsewhere; inline styles are allowed (React style props,
// the virtualised table). A host adds only what its transport needs (see cspText).

/** Directive -> sources, in the order the header lists them. */
export const RENDERER_CSP = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data: blob:",
  'font-src': "'self' data:",
  'connect-src': "'self'",
  'worker-src': "'self' blob:",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'object-src': "'none'",
} as const;

export type CspDirective = keyof typeof RENDERER_CSP;

/**
 * RENDERER_CSP as header text, with `extra` sources appended to their directives: browser mode's
 * WebSocket (connect-src ws://host), the Vite dev server's HMR socket and inline preamble.
 */
export function cspText(extra: Partial<Record<CspDirective, string>> = {}): string {
  return (Object.entries(RENDERER_CSP) as [CspDirective, string][])
    .map(([directive, sources]) => [directive, sources, extra[directive]].filter(Boolean).join(' '))
    .join('; ');
}
