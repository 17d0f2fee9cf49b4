/** Types for sigv4-browser.js (plain JS so the browser loads it as is). */
export function sigv4Encode(s: string): string;
export function amzDate(ms: number): string;
export function signHeaders(o: {
  method: string;
  url: string;
  body?: string;
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  service?: string;
  nowMs?: number;
}): Promise<Record<string, string>>;
