/**
 * Credentials that ride in URLs, hidden before anything is logged or printed:
 * `rtsp://user:pass@cam/...` -> `rtsp://user:***@cam/...`, and the query parameters
 * cameras take them in (`?user=admin&password=...`, `&pwd=`, `&token=`) -> `password=***`.
 * Works on any text (a URL, an ffmpeg error line, a whole JSON log line).
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:"'\\]+):([^\s/@"'\\]*)@/gi;
const QUERY_SECRET = /([?&;](?:password|passwd|pass|pwd|secret|token|auth|authorization)=)[^&\s"'\\#]*/gi;

export function redactSecrets(text: string): string {
  return text.replace(USERINFO, '$1:***@').replace(QUERY_SECRET, '$1***');
}
