import type { MediaInput } from '../../device/sources/media-input.ts';

/**
 * A MediaInput for source tests: the parts a test looks at come from `parts`; the rest
 * ignore what they get, except `noteSourceError`, which fails the test unless replaced.
 */
export function mediaInput(parts: Partial<MediaInput>): MediaInput {
  return {
    putVideoFrame: () => {},
    putAudioFrame: () => {},
    pushVideo: () => {},
    pushAudio: () => {},
    cutSegment: () => {},
    noteSourceError: (e) => {
      throw e;
    },
    ...parts,
  };
}
