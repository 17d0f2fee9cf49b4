/**
 * Moved to ../bitstream/bit-reader.ts (codec-neutral: H.264 and H.265 share it). This re-export
 * keeps live-segmenter.ts and the sources building until the staged pipeline imports the
 * new path; delete it then.
 */
export * from '../bitstream/bit-reader.ts';
