import { redactSecrets } from '../../device/core/redact-secrets.ts';
import type { CameraSpec } from './camera-runner.ts';

/** A camera's source for people (local.json, the start-up lines): secrets in RTSP URLs redacted. */
export function describeSource(c: CameraSpec): string {
  return describeSourceOnly(c) + (c.container ? ` in ${c.container === 'fmp4' ? 'fMP4' : 'MPEG-TS'}` : '');
}

function describeSourceOnly(c: CameraSpec): string {
  switch (c.source.kind) {
    case 'sample':
      return 'sample clip (looped, real time)';
    case 'file':
      return `file ${c.source.path}${c.source.fps ? ` at ${c.source.fps} fps` : ''}${c.source.loop ? ' (looped)' : ''}`;
    case 'stdin':
      return 'stdin';
    case 'rtsp':
      return `${redactSecrets(c.source.url)}${c.source.transport === 'udp' ? ' (RTP over UDP)' : ''}`;
  }
}
