/** What an S3 error body says: `<Error><Code/><Message/><RequestId/>...</Error>`. */
export interface S3ErrorBody {
  readonly code?: string;
  readonly message?: string;
  readonly requestId?: string;
  /** RequestTimeTooSkewed: S3's clock, e.g. `2026-01-02T03:04:05Z`. */
  readonly serverTime?: string;
}

/** The XML entities S3 escapes in error text. */
const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as const;

/**
 * Reads the few fields the agent needs from an S3 error document. Not a general XML
 * parser: it finds `<Name>text</Name>` children of the root `<Error>` (no attributes, no
 * nesting, which is all S3 sends) and decodes entities. Anything else yields `{}`.
 */
export function parseS3ErrorXml(xml: string): S3ErrorBody {
  const root = /<Error>([\s\S]*)<\/Error>/.exec(xml);
  if (!root) return {};
  const inner = root[1]!;
  const field = (name: string): string | undefined => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(inner);
    return m ? decodeXmlText(m[1]!) : undefined;
  };
  const out: { -readonly [K in keyof S3ErrorBody]: S3ErrorBody[K] } = {};
  const code = field('Code');
  const message = field('Message');
  const requestId = field('RequestId');
  const serverTime = field('ServerTime');
  if (code) out.code = code;
  if (message) out.message = message;
  if (requestId) out.requestId = requestId;
  if (serverTime) out.serverTime = serverTime;
  return out;
}

/** `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#NN;` `&#xHH;` -> characters; unknown entities stay as written. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return (XML_ENTITIES as Record<string, string>)[ref] ?? whole;
  });
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}
